// The worker's workflow bundle entry: every workflow type it runs.
export { calendarFanOutWorkflow } from './calendar-fan-out.js';
export { enrolmentWorkflow } from './enrolment.js';
export { reconcileWorkflow } from './reconciler.js';
export { visitPlanMonthWorkflow } from './visit-plan.js';
