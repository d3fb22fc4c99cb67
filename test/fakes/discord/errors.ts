// Discord's JSON error bodies (status, code, message) for the cases the fake enforces.
export interface FakeError {
  status: number;
  code: number;
  message: string;
  errors?: unknown;
}

export const FAKE_ERRORS = {
  unauthorized: { status: 401, code: 0, message: '401: Unauthorized' },
  notFound: { status: 404, code: 0, message: '404: Not Found' },
  invalidBody: { status: 400, code: 50109, message: 'The request body contains invalid JSON.' },
  unknownMessage: { status: 404, code: 10008, message: 'Unknown Message' },
  unknownWebhook: { status: 404, code: 10015, message: 'Unknown Webhook' },
  unknownInteraction: { status: 404, code: 10062, message: 'Unknown interaction' },
  alreadyAcknowledged: { status: 400, code: 40060, message: 'Interaction has already been acknowledged.' },
  cannotEditOthers: { status: 403, code: 50005, message: 'Cannot edit a message authored by another user' },
  emptyMessage: { status: 400, code: 50006, message: 'Cannot send an empty message' },
  tooLarge: { status: 413, code: 40005, message: 'Request entity too large' },
  contentTooLong: (max: number): FakeError => ({
    status: 400,
    code: 50035,
    message: 'Invalid Form Body',
    errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` }] } },
  }),
} satisfies Record<string, FakeError | ((n: number) => FakeError)>;
