import t from 'tap';
import { errorFromResponse, isSessionExpired, parseErrorBody } from '../../src/bulk/http/response-error.js';
import { isDuplicateUploadRefusal } from '../../src/bulk/ingest/ingest-job.js';
import {
  AuthError, InvalidInputError, InvalidStateError, LimitExceededError, NotFoundError, PermissionError, ProtocolError, ServerError,
} from '../../src/bulk/errors.js';

const req = { method: 'GET', path: '/services/data/v62.0/jobs/ingest/750xx' };
const MULTIPLE_CONTENTS = "Found multipe contents for job: <7500H00000H673g>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.";

t.test('the error envelope is read in all its shapes', async (t) => {
  t.same(parseErrorBody('[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]'), {
    errorCode: 'NOT_FOUND', message: 'The requested resource does not exist', fields: [],
  });
  t.same(parseErrorBody('[ {\n "message" : "bad", "errorCode" : "INVALID_FIELD", "fields" : ["Name"] } ]').fields, ['Name']);
  t.same(parseErrorBody('{"error":"invalid_grant","error_description":"authentication failure"}'), {
    errorCode: 'invalid_grant', message: 'authentication failure', fields: [],
  });
  t.same(parseErrorBody('<html><body><h1>503 Service Unavailable</h1></body></html>'), {
    errorCode: undefined, message: '503 Service Unavailable', fields: [],
  });
  t.same(parseErrorBody(''), { errorCode: undefined, message: undefined, fields: [] });
  t.same(parseErrorBody('[not json'), { errorCode: undefined, message: '[not json', fields: [] });
});

t.test('each status and code maps to its typed error with a stable code', async (t) => {
  const cases: [number, string, new (...a: never[]) => Error, string][] = [
    [401, '[{"errorCode":"INVALID_SESSION_ID","message":"Session expired or invalid"}]', AuthError, 'SF_AUTH'],
    [403, '[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"TotalRequests Limit exceeded."}]', LimitExceededError, 'SF_LIMIT_EXCEEDED'],
    [429, '', LimitExceededError, 'SF_LIMIT_EXCEEDED'],
    [403, '[{"errorCode":"API_DISABLED_FOR_ORG","message":"API is not enabled for this Organization or Partner"}]', PermissionError, 'SF_PERMISSION'],
    [404, '[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]', NotFoundError, 'SF_NOT_FOUND'],
    [400, '[{"errorCode":"INVALIDJOBSTATE","message":"Aborting already Completed Job not allowed"}]', InvalidStateError, 'SF_INVALID_STATE'],
    [400, '[{"errorCode":"API_ERROR","message":"Error encountered when deleting the job because the job is not terminated"}]', InvalidStateError, 'SF_INVALID_STATE'],
    // A second upload is a plain 400 here: only the upload code reads its message (isDuplicateUploadRefusal).
    [400, `[{"errorCode":"INVALIDJOB","message":"${MULTIPLE_CONTENTS}"}]`, InvalidInputError, 'SF_INVALID_INPUT'],
    [400, '[{"errorCode":"INVALID_FIELD","message":"No such column \'Foo\' on entity \'Account\'","fields":["Foo"]}]', InvalidInputError, 'SF_INVALID_INPUT'],
    [400, '[{"errorCode":"MALFORMED_QUERY","message":"unexpected token"}]', InvalidInputError, 'SF_INVALID_INPUT'],
    [409, '[{"errorCode":"INVALIDJOBSTATE","message":"The API version of the request (61.0) does not match the job\'s API version (62.0)"}]', InvalidInputError, 'SF_INVALID_INPUT'],
    [409, '[{"errorCode":"CONFLICT","message":"the record is being updated"}]', InvalidStateError, 'SF_INVALID_STATE'],
    [415, '', InvalidInputError, 'SF_INVALID_INPUT'],
    [500, '[{"errorCode":"UNKNOWN_EXCEPTION","message":"An unexpected error occurred"}]', ServerError, 'SF_SERVER'],
    [503, '', ServerError, 'SF_SERVER'],
    [302, '', ProtocolError, 'SF_PROTOCOL'],
  ];
  for (const [status, body, cls, code] of cases) {
    const e = errorFromResponse({ status, body, request: req });
    t.type(e, cls, `${status} ${body.slice(0, 40)}`);
    t.equal(e.code, code);
    t.equal(e.status, status);
    t.same(e.request, req);
    t.match(e.message, `GET ${req.path} -> ${status}`, 'the message names the request');
  }
  const field = errorFromResponse({ status: 400, body: '[{"errorCode":"INVALID_FIELD","message":"bad","fields":["Foo"]}]', request: req });
  t.same(field.fields, ['Foo']);
  t.match(field.message, /Foo/);
  t.equal(errorFromResponse({ status: 503, body: '', request: req }).retryable, true);
  t.equal(errorFromResponse({ status: 404, body: '', request: req }).retryable, false);
});

t.test('the same-API-version advice is given for a version conflict only', async (t) => {
  const conflict = (message: string, path = req.path) =>
    errorFromResponse({ status: 409, body: JSON.stringify([{ errorCode: 'INVALIDJOBSTATE', message }]), request: { method: 'GET', path } });
  t.match(conflict('The API version of the request (61.0) does not match the job\'s API version (62.0)').message, /same API version/);
  t.match(conflict('conflict', '/services/data/v61.0/jobs/query/750xx/results').message, /same API version/, 'a 409 on results is the version rule');
  t.match(conflict('conflict', '/services/data/v61.0/jobs/query/750xx/resultPages').message, /same API version/);
  t.notMatch(conflict('the record is being updated').message, /API version/, 'any other conflict gets no version advice');
});

t.test('a refused second upload is recognised by status, code and the documented message, nowhere else', async (t) => {
  const refusal = (status: number, errorCode: string, message: string) =>
    errorFromResponse({ status, body: JSON.stringify([{ errorCode, message }]), request: { method: 'PUT', path: '/services/data/v62.0/jobs/ingest/750xx/batches/' } });
  t.ok(isDuplicateUploadRefusal(refusal(400, 'INVALIDJOB', MULTIPLE_CONTENTS)));
  t.notOk(isDuplicateUploadRefusal(refusal(400, 'INVALIDJOB', 'Job is invalid')), 'another INVALIDJOB is not');
  t.notOk(isDuplicateUploadRefusal(refusal(400, 'INVALIDJOBSTATE', MULTIPLE_CONTENTS)), 'another code is not');
  t.notOk(isDuplicateUploadRefusal(refusal(500, 'INVALIDJOB', MULTIPLE_CONTENTS)), 'another status is not');
  t.notOk(isDuplicateUploadRefusal(new Error(MULTIPLE_CONTENTS)), 'an untyped error is not');
});

t.test('OAuth errors say which setting to fix', async (t) => {
  const oauth = (error: string, d: string) => errorFromResponse({
    status: 400, body: JSON.stringify({ error, error_description: d }), request: { method: 'POST', path: '/services/oauth2/token' }, oauth: true,
  });
  t.match(oauth('invalid_client_id', 'client identifier invalid').message, /client_id/);
  t.match(oauth('invalid_client', 'invalid client credentials').message, /client_secret/);
  t.match(oauth('invalid_grant', 'authentication failure').message, /password and security_token/);
  t.match(oauth('invalid_grant', 'expired access/refresh token').message, /refresh_token/);
  t.match(oauth('invalid_grant', "user hasn't approved this consumer").message, /pre-authorize/);
  t.match(oauth('unsupported_grant_type', 'grant type not supported').message, /not enabled/);
  t.equal(oauth('invalid_grant', 'authentication failure').code, 'SF_AUTH');
  t.equal(oauth('invalid_grant', 'authentication failure').errorCode, 'invalid_grant');
});

t.test('only a plain expired session is refreshed; org-policy 401s are not', async (t) => {
  const e401 = (message: string, code = 'INVALID_SESSION_ID') =>
    errorFromResponse({ status: 401, body: JSON.stringify([{ errorCode: code, message }]), request: req });
  t.ok(isSessionExpired(e401('Session expired or invalid')));
  t.notOk(isSessionExpired(e401('This session is not valid for use with the REST API')));
  t.notOk(isSessionExpired(e401('Connected app is not attached to Agent')));
  t.notOk(isSessionExpired(errorFromResponse({ status: 404, body: '', request: req })));
  t.ok(isSessionExpired(errorFromResponse({ status: 401, body: '', request: req })), 'a bare 401 is treated as expiry');
});
