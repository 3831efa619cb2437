/** Vite's `?raw` imports (a file's text at build time): tests read wrangler.toml this way, workerd has no fs. */
declare module "*?raw" {
  const text: string;
  export default text;
}
