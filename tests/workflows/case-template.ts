// The programme template of the tests about one case's actions: documents → audit (extendable) → done or failed, the
// audit looping back once through corrections.
import { bilingual as name, testTemplate } from '../helpers/fixtures.js';

export const template = testTemplate({
  key: 'uji-konkuren',
  version: 1,
  name: name('Uji konkuren'),
  description: name('Template uji'),
  firstStep: 'documents',
  steps: [
    {
      key: 'documents',
      name: name('Dokumen'),
      actor: 'business',
      scope: 'business',
      due: { kind: 'working_days', days: 10 },
      reminders: [{ relativeTo: 'before_due', workingDays: 2 }],
      escalation: { afterWorkingDays: 2, to: 'manager' },
      outcomes: [{ key: 'submitted', name: name('Diajukan'), next: 'audit' }],
    },
    {
      key: 'audit',
      name: name('Audit'),
      actor: 'lph',
      scope: 'business',
      due: { kind: 'working_days', days: 15 },
      extendable: true,
      maxVisits: 3,
      outcomes: [
        { key: 'ok', name: name('Sesuai'), next: null, terminal: 'completed' },
        { key: 'nc', name: name('Ketidaksesuaian'), next: 'corrections' },
        { key: 'failed', name: name('Gagal'), next: null, terminal: 'failed' },
      ],
    },
    {
      key: 'corrections',
      name: name('Perbaikan'),
      actor: 'business',
      scope: 'business',
      due: { kind: 'working_days', days: 10 },
      outcomes: [{ key: 'done', name: name('Selesai'), next: 'audit' }],
    },
  ],
});
