// The system of record. The workflow owns an enrolment's step state; step_instances is its projection,
// written only by activities. Quota counters are changed only inside enrolment transactions (see domain/quota rules).
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * Which channels besides the in-app inbox a person wants. `digest`: an officer's routine notices (step opened, reminder,
 * overdue) reach e-mail and WhatsApp only in the daily digest; a manager gets the weekly summary.
 */
export interface NotificationPreferences {
  email: boolean;
  whatsapp: boolean;
  webhook: boolean;
  digest: boolean;
}
export const defaultNotificationPreferences: NotificationPreferences = {
  email: true,
  whatsapp: true,
  webhook: true,
  digest: true,
};

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

/** Kemendagri regions (province = 2 digits, kabupaten/kota = 4 digits). BPS codes differ for some Kaltim kabupaten. */
export const regions = pgTable(
  'regions',
  {
    code: text('code').primaryKey(),
    bpsCode: text('bps_code').notNull().unique(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['province', 'kabupaten', 'kota'] }).notNull(),
    provinceCode: text('province_code'),
    /** A grouping used by the province (Kaltim's wilayah I–III). */
    wilayah: text('wilayah'),
  },
  (t) => [check('regions_code_format', sql`${t.code} ~ '^[0-9]{2}([0-9]{2})?$'`)],
);

export const offices = pgTable('offices', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  level: text('level', { enum: ['province', 'kabupaten', 'kota'] }).notNull(),
  regionCode: text('region_code')
    .notNull()
    .references(() => regions.code),
  /** IANA zone: Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT). Due dates end in this zone. */
  timeZone: text('time_zone').notNull(),
  officeHoursStart: text('office_hours_start').notNull().default('08:00'),
  officeHoursEnd: text('office_hours_end').notNull().default('16:00'),
  createdAt: createdAt(),
});

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    email: text('email').unique(),
    role: text('role', { enum: ['admin', 'manager', 'officer', 'business'] }).notNull(),
    officeId: uuid('office_id').references(() => offices.id),
    businessId: uuid('business_id'),
    passwordHash: text('password_hash'),
    /** E.164 (+62…), for WhatsApp. */
    phone: text('phone'),
    language: text('language', { enum: ['id', 'en'] })
      .notNull()
      .default('id'),
    notificationPreferences: jsonb('notification_preferences')
      .$type<NotificationPreferences>()
      .notNull()
      .default(defaultNotificationPreferences),
    /** The head of the office (kepala dinas): a template's escalation to 'head_of_office' reaches these managers. */
    headOfOffice: boolean('head_of_office').notNull().default(false),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('users_office_idx').on(t.officeId)],
);

/** Bearer tokens, stored only as a SHA-256 hash. An invitation is a token limited to one business. */
export const apiTokens = pgTable('api_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id),
  tokenHash: text('token_hash').notNull().unique(),
  kind: text('kind', { enum: ['session', 'invitation', 'demo'] }).notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  createdAt: createdAt(),
});

/** Sentra industri: a named cluster of IKM in one region. */
export const sentra = pgTable(
  'sentra',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    name: text('name').notNull(),
    description: text('description'),
    createdAt: createdAt(),
  },
  // Imports name a sentra by its name, so a name means one sentra within an office.
  (t) => [unique('sentra_office_name_unique').on(t.officeId, t.name)],
);

/** The IKM registry. */
export const businesses = pgTable(
  'businesses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id),
    name: text('name').notNull(),
    ownerName: text('owner_name').notNull(),
    /** NIB from OSS: 13 digits. */
    nib: text('nib').notNull().unique(),
    /** KBLI business classification: 5 digits. */
    kbli: text('kbli').notNull(),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    address: text('address'),
    phone: text('phone'),
    email: text('email'),
    products: text('products')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    workers: integer('workers'),
    exportOriented: boolean('export_oriented').notNull().default(false),
    sentraId: uuid('sentra_id').references(() => sentra.id),
    preferredLanguage: text('preferred_language', { enum: ['id', 'en'] })
      .notNull()
      .default('id'),
    /** How the business contact (phone, email above) wants to hear from the office. */
    notificationPreferences: jsonb('notification_preferences')
      .$type<NotificationPreferences>()
      .notNull()
      .default(defaultNotificationPreferences),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('businesses_nib_format', sql`${t.nib} ~ '^[0-9]{13}$'`),
    check('businesses_kbli_format', sql`${t.kbli} ~ '^[0-9]{5}$'`),
    index('businesses_office_idx').on(t.officeId),
    index('businesses_region_idx').on(t.regionCode),
    // The registry lists an office's businesses by name, paged by (name, id).
    index('businesses_office_name_idx').on(t.officeId, t.name, t.id),
    index('businesses_sentra_idx').on(t.sentraId),
  ],
);

export const programmes = pgTable('programmes', {
  key: text('key').primaryKey(),
  nameId: text('name_id').notNull(),
  nameEn: text('name_en').notNull(),
  builtIn: boolean('built_in').notNull().default(false),
  createdAt: createdAt(),
});

/** Immutable template versions; an enrolment pins the version it started with. */
export const programmeVersions = pgTable(
  'programme_versions',
  {
    programmeKey: text('programme_key')
      .notNull()
      .references(() => programmes.key),
    version: integer('version').notNull(),
    template: jsonb('template').notNull(),
    createdBy: uuid('created_by').references(() => users.id),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.programmeKey, t.version] })],
);

/** Annual places for a programme, for an office and optionally one region of it. */
export const quotas = pgTable(
  'quotas',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    programmeKey: text('programme_key')
      .notNull()
      .references(() => programmes.key),
    year: integer('year').notNull(),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id),
    regionCode: text('region_code').references(() => regions.code),
    placesLimit: integer('places_limit').notNull(),
    placesUsed: integer('places_used').notNull().default(0),
    /** After this date unused regional places serve the whole office. */
    poolingDate: date('pooling_date'),
    /** A Pendamping PPH may verify at most this many applications a day. */
    dailyCapPerAssistant: integer('daily_cap_per_assistant'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('quotas_scope_unique').on(t.programmeKey, t.year, t.officeId, t.regionCode).nullsNotDistinct(),
    check('quotas_never_over_allocated', sql`${t.placesUsed} >= 0 AND ${t.placesUsed} <= ${t.placesLimit}`),
  ],
);

/** A named batch of a programme year. */
export const cohorts = pgTable('cohorts', {
  id: uuid('id').primaryKey().defaultRandom(),
  officeId: uuid('office_id')
    .notNull()
    .references(() => offices.id),
  programmeKey: text('programme_key')
    .notNull()
    .references(() => programmes.key),
  year: integer('year').notNull(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const enrolments = pgTable(
  'enrolments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Business key and Temporal workflow ID: one workflow per enrolment, whatever retries happen. */
    workflowId: text('workflow_id').notNull().unique(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id),
    programmeKey: text('programme_key').notNull(),
    programmeVersion: integer('programme_version').notNull(),
    year: integer('year').notNull(),
    /** 1 for a first certification; re-certifications after a change count up. */
    round: integer('round').notNull().default(1),
    cohortId: uuid('cohort_id').references(() => cohorts.id),
    quotaId: uuid('quota_id').references(() => quotas.id),
    status: text('status', { enum: ['waitlisted', 'active', 'paused', 'completed', 'failed', 'withdrawn'] }).notNull(),
    /** Waitlist order: higher priority first, then earlier arrival. */
    priority: integer('priority').notNull().default(0),
    currentStep: text('current_step'),
    parentEnrolmentId: uuid('parent_enrolment_id'),
    withdrawReason: text('withdraw_reason'),
    /** Set while a write of the workflow keeps failing: the case waits for an officer's retry (or withdrawal). */
    stuckAt: timestamp('stuck_at', { withTimezone: true }),
    stuckReason: text('stuck_reason'),
    enrolledBy: uuid('enrolled_by').references(() => users.id),
    /** The officer who handles the case: the work queue's "mine", and the load a manager sees per officer. */
    assigneeUserId: uuid('assignee_user_id').references(() => users.id),
    activatedAt: timestamp('activated_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('enrolments_business_programme_year').on(t.businessId, t.programmeKey, t.year, t.round),
    index('enrolments_office_status_idx').on(t.officeId, t.status),
    index('enrolments_waitlist_idx').on(t.quotaId, t.status, t.priority, t.createdAt),
    index('enrolments_assignee_idx').on(t.officeId, t.assigneeUserId, t.status),
    // The dashboard's lists behind a figure: a programme year's enrolments at a step or in a status.
    index('enrolments_dashboard_idx').on(t.officeId, t.year, t.programmeKey, t.currentStep, t.status),
  ],
);

/**
 * The notes thread of a case. Internal notes are for the office's staff; shared ones the business reads (and writes, on
 * its own case). There is no update or delete: a correction is a new note.
 */
export const caseNotes = pgTable(
  'case_notes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    enrolmentId: uuid('enrolment_id')
      .notNull()
      .references(() => enrolments.id),
    /** null for the administrator token from the environment, which belongs to no user. */
    authorUserId: uuid('author_user_id').references(() => users.id),
    authorRole: text('author_role', { enum: ['admin', 'manager', 'officer', 'business'] }).notNull(),
    visibility: text('visibility', { enum: ['internal', 'shared'] }).notNull(),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('case_notes_enrolment_idx').on(t.enrolmentId, t.createdAt)],
);

/**
 * One uploaded version of a checklist item's document. The file lives in the document store under `storage_key`; the
 * row is committed only after the file is written. The item's state is its latest version's in the step's visit; an
 * accepted version is final for that visit (no later version is taken), so a completion that saw it accepted can never
 * be overtaken.
 */
export const documents = pgTable(
  'documents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    enrolmentId: uuid('enrolment_id')
      .notNull()
      .references(() => enrolments.id),
    stepKey: text('step_key').notNull(),
    /**
     * The visit of the step the version was handed in for: a step entered again by a loop (audit → corrections →
     * re-audit) asks for its documents again, so only the open visit's versions count towards its completion.
     */
    visit: integer('visit').notNull().default(1),
    itemKey: text('item_key').notNull(),
    /** Counts up per item across visits, so "v3" names one file in the audit trail and in notices. */
    version: integer('version').notNull(),
    fileName: text('file_name').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    /** Detected from the content, never taken from the name or the declared type. */
    contentType: text('content_type').notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull().unique(),
    uploadedBy: uuid('uploaded_by').references(() => users.id),
    uploaderRole: text('uploader_role', { enum: ['admin', 'manager', 'officer', 'business'] }).notNull(),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull().defaultNow(),
    status: text('status', { enum: ['submitted', 'accepted', 'needs_revision'] })
      .notNull()
      .default('submitted'),
    reviewedBy: uuid('reviewed_by').references(() => users.id),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    reviewReason: text('review_reason'),
  },
  (t) => [
    unique('documents_item_version').on(t.enrolmentId, t.stepKey, t.itemKey, t.version),
    check('documents_size_limit', sql`${t.sizeBytes} > 0 AND ${t.sizeBytes} <= 20971520`),
  ],
);

/** Projection of the workflow's step state (one row per visit of a step: loops visit a step again). */
export const stepInstances = pgTable(
  'step_instances',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    enrolmentId: uuid('enrolment_id')
      .notNull()
      .references(() => enrolments.id),
    stepKey: text('step_key').notNull(),
    visit: integer('visit').notNull().default(1),
    status: text('status', { enum: ['open', 'paused', 'done', 'skipped', 'cancelled'] }).notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }),
    /**
     * A working-day deadline is kept as "N working days from this instant", so a calendar correction can move it.
     * Null for a fixed date (calendar days or months, or a date an officer set).
     */
    dueBasisAt: timestamp('due_basis_at', { withTimezone: true }),
    dueWorkingDays: integer('due_working_days'),
    pausedAt: timestamp('paused_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    outcome: text('outcome'),
    completedBy: uuid('completed_by').references(() => users.id),
    extensions: integer('extensions').notNull().default(0),
    note: text('note'),
    /**
     * The enrolment's office, and whether the office acts on this step (every actor but the business: officers act,
     * and record the results of BPJPH, the LPH, MUI and assistants): copies, so the work queue reads one index instead
     * of joining every open step of the office to its enrolment. A trigger fills them on insert when the writer does
     * not (migration 0010); neither ever changes.
     */
    officeId: uuid('office_id').references(() => offices.id),
    officeActs: boolean('office_acts'),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('step_instances_visit').on(t.enrolmentId, t.stepKey, t.visit),
    // The work queue: an office's open steps in due order (nulls last, as btree keeps them), counted from the index.
    index('step_instances_office_queue_idx')
      .on(t.officeId, t.dueAt, t.id)
      .where(sql`${t.status} = 'open' and ${t.officeActs}`),
    index('step_instances_due_idx').on(t.status, t.dueAt),
  ],
);

/**
 * A Pendamping PPH (halal process assistant) booked to verify an enrolment on a day. The quota's daily cap per
 * assistant (10 under the self-declare rules) bounds how many verifications one assistant takes on one date.
 */
export const assistantAssignments = pgTable(
  'assistant_assignments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    enrolmentId: uuid('enrolment_id')
      .notNull()
      .unique()
      .references(() => enrolments.id),
    /** The assistant's registration number (nomor registrasi Pendamping PPH). */
    assistantId: text('assistant_id').notNull(),
    assistantName: text('assistant_name').notNull(),
    verificationDate: date('verification_date').notNull(),
    assignedBy: uuid('assigned_by').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('assistant_assignments_day_idx').on(t.assistantId, t.verificationDate)],
);

/** Halal certificates held; valid until ingredients or process change (UU 6/2023), so no expiry date. */
export const certificates = pgTable(
  'certificates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id),
    enrolmentId: uuid('enrolment_id').references(() => enrolments.id),
    kind: text('kind').notNull(),
    number: text('number').notNull(),
    issuedOn: date('issued_on').notNull(),
    scope: text('scope').notNull(),
    status: text('status', { enum: ['valid', 'superseded', 'revoked'] })
      .notNull()
      .default('valid'),
    createdAt: createdAt(),
  },
  (t) => [index('certificates_business_idx').on(t.businessId)],
);

/**
 * Every notification once, one row per recipient: a user (officer, manager) or a business's contact. The dedupe key
 * (enrolment, step, visit, kind, occurrence, recipient) makes retries harmless. The row is the in-app inbox entry;
 * the dispatcher plans its deliveries (planned_at) from the recipient's preferences when it picks it up.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    dedupeKey: text('dedupe_key').notNull().unique(),
    enrolmentId: uuid('enrolment_id').references(() => enrolments.id),
    businessId: uuid('business_id').references(() => businesses.id),
    officeId: uuid('office_id').references(() => offices.id),
    recipientRole: text('recipient_role', { enum: ['business', 'officer', 'manager'] }).notNull(),
    /** Null for a business: its contact and all its users share one inbox. */
    recipientUserId: uuid('recipient_user_id').references(() => users.id),
    kind: text('kind').notNull(),
    stepKey: text('step_key'),
    titleId: text('title_id').notNull(),
    titleEn: text('title_en').notNull(),
    bodyId: text('body_id').notNull(),
    bodyEn: text('body_en').notNull(),
    /** The placeholder values by language: the parameters of the pre-approved WhatsApp template. */
    params: jsonb('params').$type<{ id: string[]; en: string[] }>().notNull().default({ id: [], en: [] }),
    scheduledFor: timestamp('scheduled_for', { withTimezone: true }).notNull(),
    readAt: timestamp('read_at', { withTimezone: true }),
    plannedAt: timestamp('planned_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('notifications_business_idx').on(t.businessId, t.recipientRole, t.scheduledFor),
    index('notifications_user_idx').on(t.recipientUserId, t.scheduledFor),
    index('notifications_office_idx').on(t.officeId, t.scheduledFor),
    index('notifications_unplanned_idx')
      .on(t.createdAt)
      .where(sql`${t.plannedAt} is null`),
  ],
);

/**
 * One notification sent through one channel. `message_key` is what receivers see (the e-mail Message-ID, the webhook's
 * Idempotency-Key, WhatsApp's biz_opaque_callback_data): a retry keeps it, a resend by an officer makes a new one.
 * A row is claimed by setting it `sending` with a lease; a worker that dies mid-send leaves a lease that runs out.
 */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    notificationId: uuid('notification_id')
      .notNull()
      .references(() => notifications.id),
    channel: text('channel', { enum: ['email', 'whatsapp', 'webhook'] }).notNull(),
    /** The e-mail address, the E.164 phone number or the webhook URL, as it was when planned. */
    address: text('address').notNull(),
    language: text('language', { enum: ['id', 'en'] }).notNull(),
    /** The office's zone, for quiet hours. */
    timeZone: text('time_zone').notNull(),
    status: text('status', { enum: ['queued', 'sending', 'sent', 'failed'] })
      .notNull()
      .default('queued'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull(),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    lastError: text('last_error'),
    messageKey: text('message_key').notNull(),
    resends: integer('resends').notNull().default(0),
    providerMessageId: text('provider_message_id'),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('notification_deliveries_channel').on(t.notificationId, t.channel),
    index('notification_deliveries_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} in ('queued', 'sending')`),
  ],
);

/** Texts of the notifications an administrator or manager changed; every other text is the default in code. */
export const notificationTexts = pgTable(
  'notification_texts',
  {
    kind: text('kind').notNull(),
    language: text('language', { enum: ['id', 'en'] }).notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    updatedBy: uuid('updated_by').references(() => users.id),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.language] })],
);

/** Append-only: the application role gets INSERT and SELECT only (see the migration). */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorUserId: uuid('actor_user_id'),
    actorRole: text('actor_role'),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    officeId: uuid('office_id'),
    businessId: uuid('business_id'),
    before: jsonb('before'),
    after: jsonb('after'),
    requestId: text('request_id'),
    /** The Workflow Update ID of an enrolment action: its activity writes the row once, however often it is retried. */
    actionId: text('action_id').unique(),
  },
  (t) => [index('audit_entity_idx').on(t.entityType, t.entityId), index('audit_business_idx').on(t.businessId)],
);

/** Stored answers to mutating requests, so a retried request with the same key gets the same answer. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    principal: text('principal').notNull(),
    key: text('key').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code'),
    response: jsonb('response'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.principal, t.key] })],
);

/**
 * Work to do after a commit: start an enrolment's workflow, or fan a calendar change out to running enrolments. A row
 * stays until its start succeeds; the reconciler retries rows not processed. A drain leases rows (`claimed_until`)
 * rather than locking them, so no transaction stays open while it waits on Temporal; a lease whose drain died expires.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind', { enum: ['start_enrolment', 'calendar_fan_out'] }).notNull(),
    /** The enrolment to start (start_enrolment only). */
    enrolmentId: uuid('enrolment_id').references(() => enrolments.id),
    /** The office whose calendar changed (calendar_fan_out only); null there means a national day: every office. */
    officeId: uuid('office_id').references(() => offices.id),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    claimedUntil: timestamp('claimed_until', { withTimezone: true }),
    createdAt: createdAt(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (t) => [
    index('outbox_pending_idx').on(t.processedAt, t.id),
    check(
      'outbox_kind_fields',
      sql`(${t.kind} = 'start_enrolment' and ${t.enrolmentId} is not null and ${t.officeId} is null)
        or (${t.kind} = 'calendar_fan_out' and ${t.enrolmentId} is null)`,
    ),
  ],
);

/**
 * One row counting the changes to anything an office calendar is made of (calendar days, decreed years, offices),
 * bumped by statement triggers (migration 0017) whoever writes: a process that keeps calendars between requests
 * (the dashboard) asks this one number instead of loading the calendar again.
 */
export const calendarRevision = pgTable('calendar_revision', {
  id: boolean('id').primaryKey().default(true),
  revision: bigint('revision', { mode: 'number' }).notNull(),
});

/** Decree status of a calendar year: a year without the SKB falls back to a library and is flagged. */
export const calendarYears = pgTable('calendar_years', {
  year: integer('year').primaryKey(),
  decreed: boolean('decreed').notNull(),
  decree: text('decree'),
  updatedAt: updatedAt(),
});

/** Days that are not working days: national holidays, cuti bersama, and one office's closures. */
export const calendarDays = pgTable(
  'calendar_days',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    date: date('date').notNull(),
    kind: text('kind', { enum: ['holiday', 'cuti_bersama', 'office_closure'] }).notNull(),
    nameId: text('name_id').notNull(),
    nameEn: text('name_en').notNull(),
    officeId: uuid('office_id').references(() => offices.id),
    source: text('source', { enum: ['decree', 'library', 'officer'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    unique('calendar_days_unique').on(t.date, t.kind, t.officeId).nullsNotDistinct(),
    index('calendar_days_date_idx').on(t.date),
  ],
);

// Summaries the managers' dashboard reads instead of scanning enrolments and step_instances on every request.
// Triggers on those tables (migration 0009_dashboard_triggers.sql) append a +1/-1 row for every change, in the
// transaction of the write that changed the projection, whoever wrote it: intake, the quota's promotion, the engine's
// activities, a withdrawal. Appending takes no lock that another enrolment's transaction could wait for (an upsert of
// a shared counter would, and would deadlock against the quota locks intake takes). services/dashboard-summaries.ts
// folds the appended rows into one row per key (`folded`) so a read sums a few thousand rows, never the enrolments.
// Key columns use '' for "none" so that the fold's unique index treats "none" as one key.

/** Enrolments counted by everything the dashboard groups or filters them by. */
export const dashboardEnrolmentCounts = pgTable(
  'dashboard_enrolment_counts',
  {
    officeId: uuid('office_id').notNull(),
    programmeKey: text('programme_key').notNull(),
    year: integer('year').notNull(),
    /** The business's kabupaten/kota. */
    regionCode: text('region_code').notNull(),
    quotaId: text('quota_id').notNull(),
    cohortId: text('cohort_id').notNull(),
    status: text('status').notNull(),
    currentStep: text('current_step').notNull(),
    /** 'YYYY-MM' the enrolment took its place, in the office's zone; '' while it never had one. */
    activatedMonth: text('activated_month').notNull(),
    n: integer('n').notNull(),
    folded: boolean('folded').notNull().default(false),
  },
  (t) => [
    uniqueIndex('dashboard_enrolment_counts_folded')
      .on(
        t.officeId,
        t.programmeKey,
        t.year,
        t.regionCode,
        t.quotaId,
        t.cohortId,
        t.status,
        t.currentStep,
        t.activatedMonth,
      )
      .where(sql`${t.folded}`),
    index('dashboard_enrolment_counts_pending')
      .on(t.officeId)
      .where(sql`not ${t.folded}`),
  ],
);

/** Finished step visits counted by how many whole days they took and whether they met their due date. */
export const dashboardStepDurations = pgTable(
  'dashboard_step_durations',
  {
    officeId: uuid('office_id').notNull(),
    programmeKey: text('programme_key').notNull(),
    year: integer('year').notNull(),
    regionCode: text('region_code').notNull(),
    stepKey: text('step_key').notNull(),
    /** 'YYYY-MM' the step was finished, in the office's zone. */
    completedMonth: text('completed_month').notNull(),
    durationDays: integer('duration_days').notNull(),
    /**
     * 'within' or 'late' against its due date (which counts working days of the office calendar, stops while paused
     * and moves with an extension the template allows); 'none' without a due date.
     */
    dueResult: text('due_result', { enum: ['within', 'late', 'none'] }).notNull(),
    n: integer('n').notNull(),
    folded: boolean('folded').notNull().default(false),
  },
  (t) => [
    uniqueIndex('dashboard_step_durations_folded')
      .on(t.officeId, t.programmeKey, t.year, t.regionCode, t.stepKey, t.completedMonth, t.durationDays, t.dueResult)
      .where(sql`${t.folded}`),
    index('dashboard_step_durations_pending')
      .on(t.officeId)
      .where(sql`not ${t.folded}`),
    // Statutory compliance reads a few steps of a year: their rows, not the histograms of every step.
    index('dashboard_step_durations_steps').on(t.officeId, t.year, t.programmeKey, t.stepKey),
  ],
);

/** Completed enrolments counted by whole days from taking their place to finishing: what forecasts are judged on. */
export const dashboardCompletionDurations = pgTable(
  'dashboard_completion_durations',
  {
    officeId: uuid('office_id').notNull(),
    programmeKey: text('programme_key').notNull(),
    year: integer('year').notNull(),
    regionCode: text('region_code').notNull(),
    durationDays: integer('duration_days').notNull(),
    n: integer('n').notNull(),
    folded: boolean('folded').notNull().default(false),
  },
  (t) => [
    uniqueIndex('dashboard_completion_durations_folded')
      .on(t.officeId, t.programmeKey, t.year, t.regionCode, t.durationDays)
      .where(sql`${t.folded}`),
    index('dashboard_completion_durations_pending')
      .on(t.officeId)
      .where(sql`not ${t.folded}`),
  ],
);

/** Open (or paused) step visits counted by the day they opened, in the office's zone: what forecasts start from. */
export const dashboardOpenSteps = pgTable(
  'dashboard_open_steps',
  {
    officeId: uuid('office_id').notNull(),
    programmeKey: text('programme_key').notNull(),
    year: integer('year').notNull(),
    regionCode: text('region_code').notNull(),
    stepKey: text('step_key').notNull(),
    /** 'YYYY-MM-DD'. */
    openedDay: text('opened_day').notNull(),
    n: integer('n').notNull(),
    folded: boolean('folded').notNull().default(false),
  },
  (t) => [
    uniqueIndex('dashboard_open_steps_folded')
      .on(t.officeId, t.programmeKey, t.year, t.regionCode, t.stepKey, t.openedDay)
      .where(sql`${t.folded}`),
    index('dashboard_open_steps_pending')
      .on(t.officeId)
      .where(sql`not ${t.folded}`),
  ],
);

/**
 * Finished step visits counted by the whole days they took, and nothing else: the histograms the medians and forecasts
 * read, a few rows per step, where dashboard_step_durations also splits them by month and by the statutory limit.
 */
export const dashboardStepDays = pgTable(
  'dashboard_step_days',
  {
    officeId: uuid('office_id').notNull(),
    programmeKey: text('programme_key').notNull(),
    year: integer('year').notNull(),
    regionCode: text('region_code').notNull(),
    stepKey: text('step_key').notNull(),
    durationDays: integer('duration_days').notNull(),
    n: integer('n').notNull(),
    folded: boolean('folded').notNull().default(false),
  },
  (t) => [
    uniqueIndex('dashboard_step_days_folded')
      .on(t.officeId, t.programmeKey, t.year, t.regionCode, t.stepKey, t.durationDays)
      .where(sql`${t.folded}`),
    index('dashboard_step_days_pending')
      .on(t.officeId)
      .where(sql`not ${t.folded}`),
  ],
);

/**
 * Open steps with a due date (not paused: a paused step's clock stands still) counted by the instant they fall due:
 * "overdue now" is the sum of the rows due before now, and the escalation rule runs once per row, not per step.
 */
export const dashboardDueSteps = pgTable(
  'dashboard_due_steps',
  {
    officeId: uuid('office_id').notNull(),
    programmeKey: text('programme_key').notNull(),
    /** The template version the enrolments pinned: its escalation rule applies. */
    programmeVersion: integer('programme_version').notNull(),
    year: integer('year').notNull(),
    regionCode: text('region_code').notNull(),
    stepKey: text('step_key').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    n: integer('n').notNull(),
    folded: boolean('folded').notNull().default(false),
  },
  (t) => [
    uniqueIndex('dashboard_due_steps_folded')
      .on(t.officeId, t.programmeKey, t.programmeVersion, t.year, t.regionCode, t.stepKey, t.dueAt)
      .where(sql`${t.folded}`),
    index('dashboard_due_steps_pending')
      .on(t.officeId)
      .where(sql`not ${t.folded}`),
    index('dashboard_due_steps_due').on(t.officeId, t.dueAt),
  ],
);

/**
 * The step visits the dashboard lists (open and paused steps, and steps finished after their due date), each with the
 * scope it is filtered by: its enrolment's office, year, programme and its business's kabupaten/kota. A row per step
 * visit, kept by the step and business triggers (migration 0016) in the writer's transaction, so each list reads its
 * first rows from one index range in its own order, and joins the enrolment and business of only those.
 */
export const dashboardListSteps = pgTable(
  'dashboard_list_steps',
  {
    stepInstanceId: uuid('step_instance_id').primaryKey(),
    enrolmentId: uuid('enrolment_id').notNull(),
    officeId: uuid('office_id').notNull(),
    programmeKey: text('programme_key').notNull(),
    programmeVersion: integer('programme_version').notNull(),
    year: integer('year').notNull(),
    regionCode: text('region_code').notNull(),
    stepKey: text('step_key').notNull(),
    status: text('status', { enum: ['open', 'paused', 'done'] }).notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    // Overdue: an office's open steps of a year, the earliest due first.
    index('dashboard_list_steps_due')
      .on(t.officeId, t.year, t.dueAt, t.stepInstanceId)
      .where(sql`${t.status} = 'open'`),
    // At risk: the cases at one step, those that opened it first first.
    index('dashboard_list_steps_open')
      .on(t.officeId, t.year, t.programmeKey, t.stepKey, t.openedAt, t.enrolmentId)
      .where(sql`${t.status} in ('open', 'paused')`),
    // Late: the steps of one statutory step finished after their due date, the latest first.
    index('dashboard_list_steps_late')
      .on(t.officeId, t.year, t.programmeKey, t.stepKey, t.completedAt.desc(), t.stepInstanceId)
      .where(sql`${t.status} = 'done'`),
  ],
);

/** Registered businesses counted by region and sentra ('' for none). */
export const dashboardBusinessCounts = pgTable(
  'dashboard_business_counts',
  {
    officeId: uuid('office_id').notNull(),
    regionCode: text('region_code').notNull(),
    sentraId: text('sentra_id').notNull(),
    n: integer('n').notNull(),
    folded: boolean('folded').notNull().default(false),
  },
  (t) => [
    uniqueIndex('dashboard_business_counts_folded')
      .on(t.officeId, t.regionCode, t.sentraId)
      .where(sql`${t.folded}`),
    index('dashboard_business_counts_pending')
      .on(t.officeId)
      .where(sql`not ${t.folded}`),
  ],
);

// Field visits (monev and inventory visits). A plan recurs by calendar month and is run by a Temporal schedule of its
// own; each occurrence is one visit, created once whatever the schedule does (a trigger, a backfill, a retry): the
// (plan, slot) key is unique. Ad-hoc visits have no plan.

/** A recurring visit plan of an office: where, who, and a recurrence by calendar month (domain/visit-recurrence.ts). */
export const visitPlans = pgTable(
  'visit_plans',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id),
    name: text('name').notNull(),
    place: text('place').notNull(),
    recurrence: jsonb('recurrence').notNull(),
    /** Officers and managers of the office who make the visits; each visit copies them as its team. */
    teamUserIds: uuid('team_user_ids').array().notNull(),
    /** Sites of the office's inventory the visits see; each visit records them (visit_sites) when it is made. */
    siteIds: uuid('site_ids')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    status: text('status', { enum: ['active', 'paused'] })
      .notNull()
      .default('active'),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('visit_plans_office_idx').on(t.officeId)],
);

export const visits = pgTable(
  'visits',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id),
    planId: uuid('plan_id').references(() => visitPlans.id),
    /** 'YYYY-MM#slot': the occurrence of the plan this visit is; null for an ad-hoc visit. */
    slotKey: text('slot_key'),
    /** Local date in the office's zone, a working day. */
    date: date('date').notNull(),
    place: text('place').notNull(),
    status: text('status', { enum: ['planned', 'closed', 'cancelled'] })
      .notNull()
      .default('planned'),
    findings: text('findings'),
    closedBy: uuid('closed_by').references(() => users.id),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('visits_plan_slot_unique').on(t.planId, t.slotKey),
    index('visits_office_date_idx').on(t.officeId, t.date),
    check('visits_slot_with_plan', sql`(${t.planId} is null) = (${t.slotKey} is null)`),
  ],
);

export const visitTeam = pgTable(
  'visit_team',
  {
    visitId: uuid('visit_id')
      .notNull()
      .references(() => visits.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.visitId, t.userId] }), index('visit_team_user_idx').on(t.userId)],
);

/** Businesses of the registry met on a visit. */
export const visitBusinesses = pgTable(
  'visit_businesses',
  {
    visitId: uuid('visit_id')
      .notNull()
      .references(() => visits.id),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id),
  },
  (t) => [primaryKey({ columns: [t.visitId, t.businessId] })],
);

/**
 * What a visit found that someone must do, by a due date (a working day). Reminded the working day before, overdue
 * after it and escalated to the managers three working days later, like a step (services/visits/follow-ups.ts).
 */
export const visitFollowUps = pgTable(
  'visit_follow_ups',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    visitId: uuid('visit_id')
      .notNull()
      .references(() => visits.id),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id),
    action: text('action').notNull(),
    dueDate: date('due_date').notNull(),
    assigneeUserId: uuid('assignee_user_id').references(() => users.id),
    status: text('status', { enum: ['open', 'done'] })
      .notNull()
      .default('open'),
    doneBy: uuid('done_by').references(() => users.id),
    doneAt: timestamp('done_at', { withTimezone: true }),
    /** The last notice the scan sent: an open follow-up past its escalation is scanned no more. */
    lastNotice: text('last_notice', { enum: ['none', 'reminder', 'overdue', 'escalation'] })
      .notNull()
      .default('none'),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [
    index('visit_follow_ups_visit_idx').on(t.visitId),
    index('visit_follow_ups_scan_idx')
      .on(t.dueDate)
      .where(sql`${t.status} = 'open' and ${t.lastNotice} <> 'escalation'`),
  ],
);

/** A photo or document of a visit: the file is in the document store (like a case's documents), the row names it. */
export const visitAttachments = pgTable(
  'visit_attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    visitId: uuid('visit_id')
      .notNull()
      .references(() => visits.id),
    fileName: text('file_name').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    /** Detected from the content, never taken from the name or the declared type. */
    contentType: text('content_type').notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull().unique(),
    uploadedBy: uuid('uploaded_by').references(() => users.id),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('visit_attachments_visit_idx').on(t.visitId),
    check('visit_attachments_size_limit', sql`${t.sizeBytes} > 0 AND ${t.sizeBytes} <= 20971520`),
  ],
);

/**
 * A business found in the field that is not in the registry yet (prospek): often without an NIB. Deduplicated by NIB,
 * and by a fuzzy match (pg_trgm) of name and address within the same kelurahan; registered into the registry (and so
 * enrollable) once it has an NIB, which links it to its business.
 */
export const prospects = pgTable(
  'prospects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id),
    name: text('name').notNull(),
    ownerName: text('owner_name'),
    address: text('address').notNull(),
    /** The kelurahan/desa as the officer writes it; compared without case and spacing. */
    kelurahan: text('kelurahan').notNull(),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    nib: text('nib'),
    kbli: text('kbli'),
    phone: text('phone'),
    products: text('products')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    foundOnVisitId: uuid('found_on_visit_id').references(() => visits.id),
    /** Set when the prospect entered the registry. */
    businessId: uuid('business_id').references(() => businesses.id),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('prospects_nib_unique').on(t.nib),
    uniqueIndex('prospects_business_unique').on(t.businessId),
    index('prospects_place_idx').on(t.officeId, t.regionCode),
    check('prospects_nib_format', sql`${t.nib} is null or ${t.nib} ~ '^[0-9]{13}$'`),
    check('prospects_kbli_format', sql`${t.kbli} is null or ${t.kbli} ~ '^[0-9]{5}$'`),
  ],
);

/**
 * The inventory of sites: potential industrial areas (kawasan industri) and idle factories, per kabupaten/kota and so
 * per wilayah (Kaltim's I–III come from the region). What was last seen there, and when, is kept with the site.
 */
export const sites = pgTable(
  'sites',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id),
    kind: text('kind', { enum: ['potential_area', 'idle_factory'] }).notNull(),
    name: text('name').notNull(),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    /** Hectares, two decimals. */
    areaHa: numeric('area_ha', { precision: 12, scale: 2 }),
    owner: text('owner'),
    state: text('state', { enum: ['identified', 'surveyed', 'offered', 'in_use', 'idle'] }).notNull(),
    lastVisitOn: date('last_visit_on'),
    lastVisitId: uuid('last_visit_id').references(() => visits.id),
    notes: text('notes'),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('sites_office_region_idx').on(t.officeId, t.regionCode, t.name, t.id),
    check('sites_area_positive', sql`${t.areaHa} is null or ${t.areaHa} > 0`),
  ],
);

/**
 * Sites of the inventory seen on a visit: a site's visit history. Closing a visit makes it the last visit of each site
 * it saw, unless a later visit already is (services/visits/visits.ts).
 */
export const visitSites = pgTable(
  'visit_sites',
  {
    visitId: uuid('visit_id')
      .notNull()
      .references(() => visits.id),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
  },
  (t) => [primaryKey({ columns: [t.visitId, t.siteId] }), index('visit_sites_site_idx').on(t.siteId)],
);
