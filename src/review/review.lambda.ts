// Placeholder on the `reviewwire` branch only: the change-set review engine (the `review` branch)
// replaces this file at merge. It exists so that the pipelines' wiring synthesizes and bundles.

/** The CodePipeline Lambda invoke handler of the change-set review (not implemented on this branch). */
export async function handler(_event: unknown): Promise<void> {
  throw new Error('not implemented on this branch');
}
