// The API's log: pino at LOG_LEVEL, as JSON lines to stdout. pino writes through sonic-boom without waiting (lines
// written while a write is in flight go out together in the next one), and flushes what is left when the process exits.
import { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { Config } from '../infra/config.js';

/**
 * The URL as logged: an invitation link (`/invite/:token`) carries its token in the path, and a log is read by more
 * people than may use the token, so such a URL is logged as its route's pattern.
 */
export function loggedUrl(request: FastifyRequest): string {
  const params = request.params as Record<string, unknown> | undefined;
  return params && 'token' in params ? (request.routeOptions.url ?? '') : request.url;
}

/**
 * Fastify logs two lines per request (received, completed), each through its request and reply serialisers; at
 * thousands of reads a second that shows. One plain line when the answer is sent says what an operator needs: method,
 * URL, status, time in ms, and the request id (`reqId`, bound by Fastify, the same as the `x-request-id` answered).
 */
export class OneLineRequestLog extends LogController {
  override incomingRequest() {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    const line = {
      method: request.method,
      url: loggedUrl(request),
      statusCode: reply.statusCode,
      ms: reply.elapsedTime,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request');
  }
}

/** The logger `npm start` gives the API; `file` instead of stdout for a benchmark that logs as production does. */
export function apiLoggerOptions(level: Config['LOG_LEVEL'], file?: string): FastifyServerOptions['logger'] {
  return file ? { level, file } : { level };
}
