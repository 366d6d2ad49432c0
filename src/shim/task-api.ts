// Whether the server registers the containerd.task.v3.Task service names
// (task-service.ts). `start` offers containerd 2.x task API v3 only when it
// does (bootstrap.ts), and must not load the task service to find out, so
// this is a constant; test/unit/shim-bootstrap.test.ts fails when it and
// the handlers disagree.
export const SERVES_TASK_V3 = true;
