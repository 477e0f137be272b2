// The two big lists give a summary of each item, and the detail the rest: the registry list keeps owners' contacts,
// products and certificates to `GET /businesses/{id}`, the enrolment list the workflow ID and the programme's version
// and names to `GET /enrolments/{id}`. The OpenAPI document says the same (the contract test checks every answer).
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { offices } from '../../db/schema.js';
import { caseworkTemplate } from '../casework/support.js';
import { buildTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createActiveEnrolment, createBusiness, createToken, createUser } from '../helpers/fixtures.js';

describe('list summaries', () => {
  let database: TestDatabase;
  let app: App;
  let officer: { authorization: string };
  let businessId: string;
  let enrolmentId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await buildTestApp({ database, temporal: null as never });
    const db = database.db;
    const [kalsel] = await db.select().from(offices).where(eq(offices.regionCode, '63'));
    const business = await createBusiness(db, kalsel!.id, {
      name: 'UD Amplang Kuin',
      phone: '+6281234567890',
      email: 'amplang@example.id',
      address: 'Jl. Kuin Utara No. 7, Banjarmasin',
      products: ['amplang ikan pipih'],
      workers: 6,
    });
    businessId = business.id;
    enrolmentId = (await createActiveEnrolment(db, caseworkTemplate('uji-ringkasan'), business.id, kalsel!.id)).id;
    officer = { authorization: `Bearer ${await createToken(db, (await createUser(db, 'officer', kalsel!.id)).id)}` };
  });

  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  const get = async (url: string) => {
    const res = await app.inject({ url, headers: officer });
    expect(res.statusCode).toBe(200);
    return res.json();
  };

  it('lists businesses without contacts, products or certificates, which the detail has', async () => {
    const [item] = (await get('/api/v1/businesses')).items;
    expect(Object.keys(item).sort()).toEqual(
      [
        'certified',
        'exportOriented',
        'id',
        'kbli',
        'name',
        'nib',
        'officeId',
        'ownerName',
        'regionCode',
        'regionName',
        'sentra',
        'updatedAt',
      ].sort(),
    );
    expect(item).toMatchObject({
      id: businessId,
      name: 'UD Amplang Kuin',
      regionName: 'Banjarmasin',
      certified: false,
    });
    const detail = await get(`/api/v1/businesses/${businessId}`);
    expect(detail).toMatchObject({
      phone: '+6281234567890',
      email: 'amplang@example.id',
      workers: 6,
      certificates: [],
    });
  });

  it("lists enrolments without the workflow ID or the programme's version and names, which the detail has", async () => {
    const [item] = (await get('/api/v1/enrolments')).items;
    expect(item).toMatchObject({
      id: enrolmentId,
      businessId,
      businessName: 'UD Amplang Kuin',
      programmeKey: 'uji-ringkasan',
      status: 'active',
    });
    expect(item).not.toHaveProperty('workflowId');
    expect(item).not.toHaveProperty('programmeName');
    expect(item).not.toHaveProperty('programmeVersion');
    const detail = await get(`/api/v1/enrolments/${enrolmentId}`);
    expect(detail).toMatchObject({ programmeVersion: 1, programmeName: { id: expect.any(String) } });
    expect(detail.workflowId).toMatch(/^enrolment-uji-ringkasan-/);
  });
});
