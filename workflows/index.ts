// The worker's workflow bundle entry: every workflow type it runs.
export { enrolmentWorkflow } from './enrolment.js';
export { reconcileWorkflow } from './reconciler.js';
