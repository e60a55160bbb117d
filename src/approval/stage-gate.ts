// Temporary: the gates moved to src/gates/. Only the cross-region pipeline (being moved by
// another change) still imports this path; delete this file once it imports '../gates/...'.
export * from '../gates/stage-gate';
