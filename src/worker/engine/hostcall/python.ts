// Python's side of the network option: files installed in Python's dist-packages (a
// per-sandbox package file) and served by the call mount under /run/sandpit/lib. sitecustomize.py patches urllib.request when a program
// imports it, so plain `urllib.request.urlopen(url)` goes through the host's fetch (http and
// https; there is no ssl or socket in the sandbox). `import sandpit_http; sandpit_http.fetch(…)`
// is the direct form.

const SANDPIT_HTTP = `"""HTTP(S) through the sandpit host (its network option), for urllib and direct use."""
import io
import json
import os

_DIR = '/run/sandpit/'


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view[:65536])
        view = view[n:]


def _read_reply(path):
    fd = os.open(path, os.O_RDONLY)
    chunks = []
    try:
        tries = 0
        while True:
            try:
                b = os.read(fd, 65536)
            except OSError:
                # The host answers a still-running call with an error every ~20 s: ask again.
                tries += 1
                if tries > 540:
                    raise
                continue
            if not b:
                break
            chunks.append(b)
    finally:
        os.close(fd)
        try:
            os.unlink(path)
        except OSError:
            pass
    return b''.join(chunks)


def call(header, body=b''):
    """One host call: returns (exit_code, stdout, stderr, meta)."""
    hdr = json.dumps(header).encode()
    cid = '%d-%s' % (os.getpid(), os.urandom(8).hex())
    fd = os.open(_DIR + cid, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        _write_all(fd, b'SPCALL1 %d %d\\n' % (len(hdr), len(body)) + hdr + bytes(body))
    finally:
        os.close(fd)
    data = _read_reply(_DIR + cid + '.out')
    nl = data.index(b'\\n')
    code, olen, elen, mlen, plen = (int(x) for x in data[:nl].split()[1:6])
    at = nl + 1
    meta = json.loads(data[at:at + mlen]) if mlen else None
    at += mlen + plen
    return code, data[at:at + olen], data[at + olen:at + olen + elen], meta


class FetchError(OSError):
    pass


def fetch(url, method='GET', headers=None, data=None):
    """(status, reason, headers list, body bytes, final url); raises FetchError when refused."""
    items = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
    code, out, err, meta = call(
        {'kind': 'fetch', 'method': method, 'url': url, 'headers': [[k, v] for k, v in items]}, data or b'')
    if code != 0:
        raise FetchError(err.decode('utf-8', 'replace') or 'request failed')
    return meta['status'], meta['reason'], meta['headers'], out, meta['url']


def _body(data):
    if data is None:
        return b''
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    if hasattr(data, 'read'):
        return data.read()
    return b''.join(data)


def _open(self, req):
    import email.message
    import urllib.error
    import urllib.response
    headers = dict(req.unredirected_hdrs)
    headers.update(req.headers)
    try:
        status, reason, hdrs, body, url = fetch(
            req.full_url, req.get_method(), headers, _body(req.data))
    except FetchError as e:
        raise urllib.error.URLError(str(e))
    msg = email.message.Message()
    for k, v in hdrs:
        msg[k] = v
    resp = urllib.response.addinfourl(io.BytesIO(body), msg, url, status)
    resp.msg = reason
    resp.reason = reason
    return resp


def install(request):
    """Route urllib.request's http and https through the host."""
    h = request.HTTPHandler
    h.http_open = _open
    h.https_open = _open
    h.https_request = h.http_request
    if hasattr(request, 'HTTPSHandler'):
        request.HTTPSHandler.https_open = _open
`;

const SITECUSTOMIZE = `# sandpit: patch urllib.request (when a program imports it) to use the host's fetch.
import sys


class _SandpitUrllib:
    def find_spec(self, name, path=None, target=None):
        if name != 'urllib.request':
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, 'find_spec'):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                spec.loader = _Loader(spec.loader)
                return spec
        return None


class _Loader:
    def __init__(self, inner):
        self.inner = inner

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module):
        self.inner.exec_module(module)
        import sandpit_http
        sandpit_http.install(module)


sys.meta_path.insert(0, _SandpitUrllib())
`;

const enc = new TextEncoder();

/** Files served under /run/sandpit/lib. */
export function pythonLib(): Record<string, Uint8Array> {
  return { 'sandpit_http.py': enc.encode(SANDPIT_HTTP), 'sitecustomize.py': enc.encode(SITECUSTOMIZE) };
}
