import { vi } from "vitest";

/** The error lines the worker logged while `run` ran (src/lib/log.ts writes JSON to console.error). */
export async function errorsLoggedBy<T = Record<string, unknown>>(run: () => Promise<unknown>): Promise<T[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "error").mockImplementation((line: unknown) => void lines.push(String(line)));
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines.map((l) => JSON.parse(l) as T);
}
