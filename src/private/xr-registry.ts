/**
 * Buckets and keys that `ArtifactStores` defined itself (named by its scheme), as opposed to
 * the ones a user passed in: grants on the former use one pattern statement for all regions.
 */
export const DEFINED_BY_STORES = new WeakSet<object>();
