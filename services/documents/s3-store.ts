// Documents in an S3-compatible bucket (AWS S3, MinIO, Ceph, a cloud provider's object storage). A PUT either stores
// the whole object or nothing, so no temporary name is needed here.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { DocumentStore } from './store.js';

export interface S3StoreOptions {
  bucket: string;
  /** Another S3-compatible service than AWS: its URL. */
  endpoint?: string | undefined;
  region: string;
  /** Most non-AWS services want bucket/key paths rather than bucket host names. */
  forcePathStyle: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Keys go under this prefix, so one bucket can serve several installations. */
  prefix?: string;
}

export function s3Store(options: S3StoreOptions): DocumentStore {
  const config: S3ClientConfig = {
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    // The SDK's default checksums send bodies in aws-chunked encoding with trailers, which many S3-compatible
    // services store verbatim or refuse; checksums only where the operation requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  if (options.endpoint) config.endpoint = options.endpoint;
  if (options.credentials) config.credentials = options.credentials;
  const client = new S3Client(config);
  const prefix = options.prefix ?? '';
  const Bucket = options.bucket;
  return {
    description: `s3 ${Bucket}${options.endpoint ? ` at ${options.endpoint}` : ''}`,
    async put(key, body, sizeBytes) {
      // A document is at most 20 MB: read whole first, a failing source ends here, before any request is made,
      // instead of leaving a half-sent PUT waiting for bytes that never come.
      const data = await buffer(body);
      if (data.length !== sizeBytes) throw new Error(`document body is ${data.length} bytes, expected ${sizeBytes}`);
      await client.send(new PutObjectCommand({ Bucket, Key: prefix + key, Body: data, ContentLength: sizeBytes }));
    },
    async get(key) {
      const answer = await client.send(new GetObjectCommand({ Bucket, Key: prefix + key }));
      return answer.Body as Readable;
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: prefix + key }));
    },
    async *list() {
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken }));
        for (const object of page.Contents ?? []) {
          if (!object.Key) continue;
          yield { key: object.Key.slice(prefix.length), modifiedAt: object.LastModified ?? new Date(0) };
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },
  };
}
