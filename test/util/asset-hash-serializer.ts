/**
 * Jest snapshot serializer: replaces asset hashes (64 hex characters, as in
 * `S3Key: <hash>.zip` or the bootstrap asset bucket keys) so a snapshot changes
 * only when behaviour does, not when a Lambda bundle is rebuilt.
 */
const ASSET_HASH = /[0-9a-f]{64}/g;

module.exports = {
  test: (value: unknown) => typeof value === 'string' && /[0-9a-f]{64}/.test(value),
  serialize: (value: string) => JSON.stringify(value.replace(ASSET_HASH, '<asset-hash>')),
};
