/**
 * Render DOT to SVG in-process with Graphviz compiled to WebAssembly (`@hpcc-js/wasm-graphviz`,
 * which embeds its .wasm): no browser, no `dot` binary, no download. The package is ESM-only,
 * hence the dynamic import; the CLI bundle (esbuild) inlines it.
 */
export async function renderSvg(dot: string): Promise<string> {
  // A devDependency on purpose: esbuild inlines it into the CLI bundle, so the package needs it at no run time.
  // eslint-disable-next-line import/no-extraneous-dependencies
  const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
  const graphviz = await Graphviz.load();
  return graphviz.dot(dot, 'svg');
}
