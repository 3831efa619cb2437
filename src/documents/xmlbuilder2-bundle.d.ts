// xmlbuilder2's main entry requires Node's `events` and `url`, which the Worker does not have (no
// nodejs_compat flag); the package also ships a self-contained browser bundle with the same API.
declare module "xmlbuilder2/lib/xmlbuilder2.min.js" {
  const xmlbuilder2: typeof import("xmlbuilder2");
  export default xmlbuilder2;
}
