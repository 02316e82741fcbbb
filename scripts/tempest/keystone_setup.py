"""Creates what Neutrino and tempest need in a fresh Keystone (after keystone-manage bootstrap).

Plain urllib against the Identity v3 API (no client library needed): a 'service' project with
the 'neutron' service user (roles admin + service, as devstack does, so it may validate tokens),
a 'demo' project and user with the member and reader roles, and, when --network-url is given,
the 'network' service with public/internal/admin endpoints. Prints shell assignments of the ids.
"""
import argparse
import json
import sys
import urllib.error
import urllib.request


def call(url, method='GET', body=None, token=None, ok=(200, 201, 204)):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header('Content-Type', 'application/json')
    req.add_header('Accept', 'application/json')
    if token:
        req.add_header('X-Auth-Token', token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read().decode() or '{}'
            return r.status, json.loads(text), r.headers
    except urllib.error.HTTPError as e:
        if e.code in ok:
            return e.code, {}, e.headers
        raise SystemExit(f'keystone_setup: {method} {url} -> {e.code} {e.read()[:300]!r}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--url', required=True, help='Identity v3 URL (…/v3)')
    ap.add_argument('--admin-password', required=True)
    ap.add_argument('--service-password', required=True)
    ap.add_argument('--demo-password', required=True)
    ap.add_argument('--region', default='RegionOne')
    ap.add_argument('--network-url')
    a = ap.parse_args()
    v3 = a.url.rstrip('/')
    auth = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'name': 'admin', 'domain': {'id': 'default'}, 'password': a.admin_password}}},
        'scope': {'project': {'name': 'admin', 'domain': {'id': 'default'}}}}}
    _, _, h = call(f'{v3}/auth/tokens', 'POST', auth)
    tok = h['X-Subject-Token']

    def find(coll, name, **q):
        qs = '&'.join([f'name={name}'] + [f'{k}={v}' for k, v in q.items()])
        _, b, _ = call(f'{v3}/{coll}?{qs}', token=tok)
        return b[coll][0]['id'] if b[coll] else None

    def ensure(coll, key, body, **q):
        found = find(coll, body['name'], **q)
        if found:
            return found
        _, b, _ = call(f'{v3}/{coll}', 'POST', {key: body}, tok)
        return b[key]['id']

    roles = {r: ensure('roles', 'role', {'name': r}) for r in ('admin', 'member', 'reader', 'service')}
    service_project = ensure('projects', 'project', {'name': 'service', 'domain_id': 'default'})
    demo_project = ensure('projects', 'project', {'name': 'demo', 'domain_id': 'default'})
    neutron_user = ensure('users', 'user', {'name': 'neutron', 'domain_id': 'default', 'password': a.service_password})
    demo_user = ensure('users', 'user', {'name': 'demo', 'domain_id': 'default', 'password': a.demo_password})
    for role in ('admin', 'service'):
        call(f'{v3}/projects/{service_project}/users/{neutron_user}/roles/{roles[role]}', 'PUT', token=tok)
    for role in ('member', 'reader'):
        call(f'{v3}/projects/{demo_project}/users/{demo_user}/roles/{roles[role]}', 'PUT', token=tok)
    _, b, _ = call(f'{v3}/projects?name=admin', token=tok)
    admin_project = b['projects'][0]['id']
    if a.network_url:
        svc = ensure('services', 'service', {'name': 'neutron', 'type': 'network', 'enabled': True})
        _, b, _ = call(f'{v3}/endpoints?service_id={svc}', token=tok)
        for ep in b['endpoints']:
            call(f'{v3}/endpoints/{ep["id"]}', 'DELETE', token=tok)
        for iface in ('public', 'internal', 'admin'):
            call(f'{v3}/endpoints', 'POST', {'endpoint': {
                'service_id': svc, 'interface': iface, 'url': a.network_url, 'region_id': a.region}}, tok)
    print(f'ADMIN_PROJECT_ID={admin_project}')
    print(f'SERVICE_PROJECT_ID={service_project}')
    print(f'DEMO_PROJECT_ID={demo_project}')
    print(f'NEUTRON_USER_ID={neutron_user}')
    print(f'DEMO_USER_ID={demo_user}')


if __name__ == '__main__':
    sys.exit(main())
