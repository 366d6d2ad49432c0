// runts cases expected to fail until the feature lands (then delete the line).
// A listed case that fails is XFAIL and does not fail the run; one that passes
// is reported as XPASS (still not a failure), a hint to remove it here.
export const XFAIL: Record<string, string> = {
};
