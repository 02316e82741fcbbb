"""Writes tempest.conf for a run against Neutrino: identity from the private Keystone, dynamic
credentials through its admin, only the network service enabled, and
[network-feature-enabled] api_extensions = exactly what Neutrino's GET /v2.0/extensions lists
(tempest then skips tests of extensions Neutrino does not claim).
Project subnets come from 203.0.113.0/25 and 2001:db8::/48 (documentation ranges). When Neutrino
advertises `router`, an admin-owned external network `public` with the subnet 203.0.113.128/25
is created and named in [network] public_network_id, so router and floating IP tests run (its
range must not overlap the project subnets: a router refuses overlapping gateway and interface)."""
import argparse
import json
import urllib.request

PUBLIC_CIDR = '203.0.113.128/25'


def neutrino(url, token, method, path, body=None):
    req = urllib.request.Request(f'{url}/v2.0/{path}', method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={'X-Auth-Token': token, 'Content-Type': 'application/json'})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


def public_network(url, token):
    """The shared external network router and floating IP tests use (created once per run)."""
    found = neutrino(url, token, 'GET', 'networks?name=public&router:external=True')['networks']
    if found:
        return found[0]['id']
    net = neutrino(url, token, 'POST', 'networks',
                   {'network': {'name': 'public', 'router:external': True}})['network']
    neutrino(url, token, 'POST', 'subnets', {'subnet': {
        'network_id': net['id'], 'name': 'public-subnet', 'ip_version': 4, 'cidr': PUBLIC_CIDR,
        'enable_dhcp': False}})
    return net['id']


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--keystone-url', required=True)
    ap.add_argument('--neutrino-url', required=True)
    ap.add_argument('--admin-password', required=True)
    ap.add_argument('--region', default='RegionOne')
    ap.add_argument('--log-file', required=True)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    body = json.dumps({'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'name': 'admin', 'domain': {'id': 'default'}, 'password': a.admin_password}}},
        'scope': {'project': {'name': 'admin', 'domain': {'id': 'default'}}}}}).encode()
    req = urllib.request.Request(f'{a.keystone_url}/v3/auth/tokens', data=body, method='POST',
                                 headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(req, timeout=30) as r:
        token = r.headers['X-Subject-Token']
    req = urllib.request.Request(f'{a.neutrino_url}/v2.0/extensions', headers={'X-Auth-Token': token})
    with urllib.request.urlopen(req, timeout=30) as r:
        aliases = sorted(e['alias'] for e in json.load(r)['extensions'])
    has = set(aliases).__contains__
    public_id = public_network(a.neutrino_url, token) if has('router') else ''
    conf = f"""[DEFAULT]
log_file = {a.log_file}
debug = true

[auth]
use_dynamic_credentials = true
create_isolated_networks = false
admin_username = admin
admin_password = {a.admin_password}
admin_project_name = admin
admin_domain_name = Default
default_credentials_domain_name = Default

[identity]
uri_v3 = {a.keystone_url}/v3
auth_version = v3
region = {a.region}

[identity-feature-enabled]
api_v2 = false
api_v3 = true

[service_available]
neutron = true
nova = false
glance = false
cinder = false
swift = false
horizon = false

[network]
region = {a.region}
project_network_cidr = 203.0.113.0/25
project_network_mask_bits = 28
project_network_v6_cidr = 2001:db8::/48
project_network_v6_mask_bits = 64
public_network_id = {public_id}
floating_network_name = {'public' if public_id else ''}
build_timeout = 60

[network-feature-enabled]
api_extensions = {','.join(aliases) if aliases else 'None'}
ipv6 = true
ipv6_subnet_attributes = true
port_admin_state_change = true
port_security = {'true' if has('port-security') else 'false'}
floating_ips = {'true' if has('router') else 'false'}

[validation]
run_validation = false
"""
    with open(a.out, 'w') as f:
        f.write(conf)


if __name__ == '__main__':
    main()
