import type { ProgrammeTemplate } from '../template.js';
import { eKatalog } from './e-katalog.js';
import { exportReadiness } from './export-readiness.js';
import { hakiBrand } from './haki-brand.js';
import { halalRegular } from './halal-regular.js';
import { halalSelfDeclare } from './halal-self-declare.js';
import { ikmMentoring } from './ikm-mentoring.js';
import { p3dnTkdn } from './p3dn-tkdn.js';

export { eKatalog, exportReadiness, hakiBrand, halalRegular, halalSelfDeclare, ikmMentoring, p3dnTkdn };

/** Seeded as version 1 of each programme; tests/unit/template.test.ts checks every one passes validateTemplate. */
export const builtInTemplates: ProgrammeTemplate[] = [
  halalRegular,
  halalSelfDeclare,
  ikmMentoring,
  exportReadiness,
  hakiBrand,
  p3dnTkdn,
  eKatalog,
];
