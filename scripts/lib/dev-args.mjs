// What `npm run dev` runs, decided from its arguments, the environment and .dev.vars, with no side
// effect (scripts/dev.mjs runs it; test/lint/dev-script.test.mjs checks the decisions).

/** The value of `--name VALUE` or `--name=VALUE` among wrangler dev's arguments (the last one wins, as in wrangler). */
export function flagValue(argv, name) {
  let value;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name && i + 1 < argv.length) value = argv[++i];
    else if (argv[i].startsWith(`${name}=`)) value = argv[i].slice(name.length + 1);
  }
  return value;
}

/** `KEY=value` lines of a .dev.vars file (comments and blank lines skipped, optional quotes removed). */
export function parseDevVars(text) {
  const vars = {};
  for (const line of (text ?? "").split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && !line.trimStart().startsWith("#")) vars[m[1]] = m[2].replace(/^(["'])(.*)\1$/, "$2");
  }
  return vars;
}

/**
 * npx's arguments to apply one database's migrations locally (`wrangler d1 migrations apply`): here
 * for `npm run dev`, and in dev-server.mjs for the bench, soak and end-to-end servers, so the two
 * cannot drift apart.
 * @param {string} database the binding: DB, or LOGS (the API call log)
 * @param {{ persistTo?: string, config?: string }} [where] wrangler's state directory and config, when not the defaults
 */
export function migrationArgs(database, { persistTo, config } = {}) {
  return [
    "--no-install", "wrangler", "d1", "migrations", "apply", database, "--local",
    ...(persistTo ? ["--persist-to", persistTo] : []),
    ...(config ? ["--config", config] : []),
  ];
}

/**
 * The plan: the migration commands and the wrangler dev command (npx arguments), and where
 * PUBLIC_BASE_URL comes from. PUBLIC_BASE_URL is the base of payment links, QR codes and emails, so
 * under `PORT=8840 npm run dev` it must say 8840. It is the user's when they chose it: in the
 * environment (`PUBLIC_BASE_URL=… npm run dev`), as `-- --var PUBLIC_BASE_URL:…`, or in .dev.vars
 * changed from the example's default; otherwise it follows the port (and `--ip`, when a specific one).
 * `--persist-to DIR` (wrangler's flag) moves the server's state: both databases' migrations are
 * applied there too, or the server would start on empty databases and answer 500 to every call.
 * @param {{ argv: string[], env: Record<string, string | undefined>, devVars?: string, exampleDevVars?: string }} input
 */
export function devPlan({ argv, env, devVars = "", exampleDevVars = "" }) {
  const userPort = flagValue(argv, "--port");
  const port = userPort ?? env.PORT ?? "8787";
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    return { error: `PORT must be a TCP port number (1-65535), got "${port}".` };
  }
  const userIp = flagValue(argv, "--ip");
  const persistTo = flagValue(argv, "--persist-to");
  if (persistTo === "") return { error: "--persist-to needs a directory: npm run dev -- --persist-to DIR" };

  const host = userIp && !["0.0.0.0", "::", "*"].includes(userIp) ? (userIp.includes(":") ? `[${userIp}]` : userIp) : "127.0.0.1";
  const followed = `http://${host}:${port}`;
  const given = argv.some((a, i) => (a === "--var" && argv[i + 1]?.startsWith("PUBLIC_BASE_URL:")) || a.startsWith("--var=PUBLIC_BASE_URL:"));
  const inFile = parseDevVars(devVars).PUBLIC_BASE_URL;
  const exampleDefault = parseDevVars(exampleDevVars).PUBLIC_BASE_URL;
  /** @type {{ source: string, value?: string }} */
  let publicBaseUrl;
  if (given) publicBaseUrl = { source: "argument" };
  else if (env.PUBLIC_BASE_URL) publicBaseUrl = { source: "environment", value: env.PUBLIC_BASE_URL };
  else if (inFile && inFile !== exampleDefault) publicBaseUrl = { source: ".dev.vars", value: inFile };
  else publicBaseUrl = { source: "port", value: followed };

  const migrations = ["DB", "LOGS"].map((db) => migrationArgs(db, { persistTo }));
  const wrangler = [
    "--no-install", "wrangler", "dev",
    ...(userIp ? [] : ["--ip", "127.0.0.1"]),
    ...(userPort ? [] : ["--port", port]),
    "--test-scheduled",
    // ENVIRONMENT also for a .dev.vars made before it was in .dev.vars.example.
    "--var", "ENVIRONMENT:development",
    // .dev.vars' value is read by wrangler itself; the others are passed over it.
    ...(publicBaseUrl.source === "environment" || publicBaseUrl.source === "port" ? ["--var", `PUBLIC_BASE_URL:${publicBaseUrl.value}`] : []),
    ...argv,
  ];
  return { port, persistTo, publicBaseUrl, migrations, wrangler };
}
