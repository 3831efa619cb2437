/**
 * The document engine — pdf-lib with fontkit and the embedded DejaVu fonts, xmlbuilder2 for the
 * CII XML — loaded on first use. Evaluating it costs on the order of 100 ms of CPU (xmlbuilder2's
 * and fontkit's module-level tables), which every fresh isolate would otherwise pay at startup
 * although most requests never render a document (issue 16 §5: startup under 400 ms over
 * hello-world). wrangler's bundler keeps it in the Worker's one module; the dynamic import only
 * defers its evaluation to the first render.
 */
type Engine = typeof import("../../documents/pdf") & typeof import("../../documents/cii");

let engine: Promise<Engine> | undefined;

export function documentEngine(): Promise<Engine> {
  if (!engine) {
    engine = Promise.all([import("../../documents/pdf"), import("../../documents/cii")]).then(([pdf, cii]) => ({ ...pdf, ...cii }));
    // A failed load must not stay cached for the isolate's lifetime.
    engine.catch(() => (engine = undefined));
  }
  return engine;
}
