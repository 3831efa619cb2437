// Binary files imported as modules. The Worker bundle gets them through wrangler.toml's
// `[[rules]] type = "Data"` (an ArrayBuffer, also honoured by the vitest workers pool); the Node
// tests and scripts bundle with esbuild's "binary" loader (a Uint8Array). fonts.ts accepts both.
declare module "*.ttf" {
  const bytes: ArrayBuffer | Uint8Array;
  export default bytes;
}
