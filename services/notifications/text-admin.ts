// Reading, replacing and previewing notification texts (administrators and managers). A text may use only its kind's
// placeholders: an unknown one is refused with a 400 that names it, before anything is written.
import { and, eq } from 'drizzle-orm';
import { type Principal } from '../principal.js';
import { type FieldIssue, invalid } from '../../domain/errors.js';

import type { Db } from '../../db/client.js';
import { notificationTexts } from '../../db/schema.js';
import { recordAudit, type AuditContext } from '../audit.js';
import { forgetTexts, textsOf } from './text-store.js';
import {
  defaultTexts,
  fill,
  formatDay,
  formatInstant,
  placeholders,
  textKinds,
  unknownPlaceholders,
  type Language,
  type Text,
  type TextKind,
} from './texts.js';

export async function listTexts(db: Db) {
  return Promise.all(
    textKinds.map(async (kind) => {
      const t = await textsOf(db, kind);
      return {
        kind,
        placeholders: [...placeholders[kind]],
        id: { ...t.id, custom: t.custom.id },
        en: { ...t.en, custom: t.custom.en },
        defaults: defaultTexts[kind],
      };
    }),
  );
}

function assertKnownPlaceholders(kind: TextKind, text: Partial<Text>): void {
  const issues: FieldIssue[] = [];
  for (const field of ['title', 'body'] as const) {
    for (const name of unknownPlaceholders(kind, text[field] ?? '')) {
      issues.push({
        path: `body.${field}`,
        message: `placeholder {${name}} tidak dikenal; yang dikenal: ${placeholders[kind].map((p) => `{${p}}`).join(', ')} / unknown placeholder {${name}}`,
      });
    }
  }
  if (issues.length > 0) {
    const names = issues.map((i) => /\{([^}]*)\}/.exec(i.message)![1]).join(', ');
    throw invalid(`Placeholder tidak dikenal: ${names} / Unknown placeholder: ${names}`, issues);
  }
}

export async function replaceText(
  db: Db,
  source: AuditContext & { principal: Principal },
  kind: TextKind,
  language: Language,
  text: Text,
) {
  assertKnownPlaceholders(kind, text);
  await db.transaction(async (tx) => {
    const before = (await textsOf(tx, kind))[language];
    await tx
      .insert(notificationTexts)
      .values({ kind, language, ...text, updatedBy: source.principal.userId })
      .onConflictDoUpdate({
        target: [notificationTexts.kind, notificationTexts.language],
        set: { ...text, updatedBy: source.principal.userId, updatedAt: new Date() },
      });
    await recordAudit(tx, source, {
      action: 'notification_text.update',
      entityType: 'notification_text',
      entityId: `${kind}:${language}`,
      before,
      after: text,
    });
  });
  forgetTexts();
  return (await listTexts(db)).find((t) => t.kind === kind)!;
}

export async function restoreDefaultText(
  db: Db,
  source: AuditContext & { principal: Principal },
  kind: TextKind,
  language: Language,
) {
  await db.transaction(async (tx) => {
    const removed = await tx
      .delete(notificationTexts)
      .where(and(eq(notificationTexts.kind, kind), eq(notificationTexts.language, language)))
      .returning();
    if (removed.length > 0) {
      await recordAudit(tx, source, {
        action: 'notification_text.restore_default',
        entityType: 'notification_text',
        entityId: `${kind}:${language}`,
        before: { title: removed[0]!.title, body: removed[0]!.body },
        after: defaultTexts[kind][language],
      });
    }
  });
  forgetTexts();
  return (await listTexts(db)).find((t) => t.kind === kind)!;
}

/** Example values, so a preview reads like a real message. */
function sampleValues(language: Language): Record<string, string> {
  const due = Date.UTC(2026, 11, 11, 8, 0);
  const id = language === 'id';
  return {
    business: 'UD Amplang Kuin',
    programme: id ? 'Sertifikasi Halal Reguler' : 'Halal Certification (regular path)',
    step: id ? 'Audit LPH' : 'LPH audit',
    due: formatInstant(due, 'Asia/Makassar', language),
    previousDue: formatInstant(due - 3 * 86_400_000, 'Asia/Makassar', language),
    reason: id ? 'LPH meminta waktu tambahan' : 'the LPH asked for more time',
    outcome: id ? 'Lulus' : 'Passed',
    certificate: 'ID63110000123450126',
    position: '3',
    name: 'Rahmat Hidayat',
    date: formatDay(due, 'Asia/Makassar', language),
    count: '2',
    items: id
      ? '• UD Amplang Kuin — Sertifikasi Halal Reguler: Audit LPH — tenggat Jumat, 11 Desember 2026 pukul 16.00 WITA'
      : '• UD Amplang Kuin — Halal Certification (regular path): LPH audit — due Friday 11 December 2026, 4:00 pm WITA',
    office: 'Dinas Perindustrian Provinsi Kalimantan Selatan',
    week: '2026-W50',
    figures: id ? '• Pendaftaran aktif: 18\n• Langkah terlambat: 2' : '• Active enrolments: 18\n• Overdue steps: 2',
  };
}

/** The kind's text (the one given, else the one in use) filled with example values. */
export async function previewText(db: Db, kind: TextKind, language: Language, draft: Partial<Text>) {
  assertKnownPlaceholders(kind, draft);
  const current = (await textsOf(db, kind))[language];
  const values = sampleValues(language);
  return {
    kind,
    language,
    title: fill(draft.title ?? current.title, values),
    body: fill(draft.body ?? current.body, values),
  };
}
