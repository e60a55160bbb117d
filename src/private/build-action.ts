// Temporary: the build step moved to src/build/private/build-step.ts. Only the cross-region
// pipeline (being moved by another change) still imports this path; delete this file then.
export { defineBuildStep } from '../build/private/build-step';
