// comlink ships its ES modules as .mjs beside .d.ts files that TypeScript does not pair with them; these
// declarations point the .mjs entry points at comlink's own types.
declare module 'comlink/dist/esm/comlink.mjs' {
  export * from 'comlink';
}

declare module 'comlink/dist/esm/node-adapter.mjs' {
  import nodeEndpoint from 'comlink/dist/umd/node-adapter';
  export default nodeEndpoint;
}
