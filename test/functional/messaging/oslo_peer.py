#!/usr/bin/python3
"""The real oslo.messaging (Debian python3-oslo.messaging) as the peer of Neutrino's transport.

client URL TOPIC SERVER  -- calls Neutrino's RPC server and fanout-casts to it; prints one JSON
                            object per outcome on stdout.
server URL TOPIC HOST    -- an oslo RPC server (endpoint version 1.1: add, fail, note); prints
                            READY, then one JSON line per received note; stops on stdin EOF.
"""
import json
import sys
import threading

from oslo_config import cfg
import oslo_messaging

ALLOWED = ['oslo_messaging.rpc.dispatcher']


def out(**kw):
    sys.stdout.write(json.dumps(kw) + '\n')
    sys.stdout.flush()


def transport(url):
    oslo_messaging.set_transport_defaults('neutron')
    # cfg.CONF: oslo.messaging registers [oslo_messaging_metrics] there only.
    conf = cfg.CONF
    conf([], project='nmq', default_config_files=[])
    return oslo_messaging.get_rpc_transport(conf, url=url, allowed_remote_exmods=ALLOWED)


def outcome(fn):
    try:
        return {'result': fn()}
    except oslo_messaging.RemoteError as e:
        return {'remote_error': e.exc_type, 'value': e.value}
    except oslo_messaging.MessagingTimeout:
        return {'timeout': True}
    except Exception as e:  # a rebuilt remote exception: its class and module as rebuilt
        cls = type(e)
        if cls.__name__.endswith('_Remote'):  # oslo's subclass carrying the remote traceback
            cls = cls.__mro__[1]
        return {'exception': cls.__name__, 'module': cls.__module__, 'message': str(e).split('\n')[0]}


def client(url, topic, server):
    t = transport(url)
    base = oslo_messaging.RPCClient(t, oslo_messaging.Target(topic=topic), timeout=30)
    ctx = {'request_id': 'req-oslo', 'is_admin': True}
    direct = base.prepare(server=server, version='1.2')
    out(step='echo', **outcome(lambda: direct.call(ctx, 'echo', n=1, s='\u00e9')))
    out(step='no_such_method', **outcome(lambda: direct.call(ctx, 'no_such_method')))
    out(step='unsupported_version', **outcome(lambda: base.prepare(version='9.0').call(ctx, 'echo')))
    out(step='refuse', **outcome(lambda: direct.call(ctx, 'refuse')))
    out(step='crash', **outcome(lambda: direct.call(ctx, 'crash')))
    base.prepare(fanout=True, version='1.0').cast(ctx, 'note', k='from-python')
    out(step='fanout_cast', result='sent')
    t.cleanup()


class Endpoint(object):
    target = oslo_messaging.Target(version='1.1')

    def add(self, ctxt, a, b):
        return {'sum': a + b, 'request_id': ctxt.get('request_id')}

    def fail(self, ctxt):
        raise ValueError('python says no')

    def note(self, ctxt, k):
        out(note=k)


def server(url, topic, host):
    t = transport(url)
    target = oslo_messaging.Target(topic=topic, server=host)
    s = oslo_messaging.get_rpc_server(t, target, [Endpoint()], executor='threading')
    s.start()
    out(ready=True)
    done = threading.Event()

    def wait_stdin():
        sys.stdin.read()
        done.set()
    threading.Thread(target=wait_stdin, daemon=True).start()
    done.wait()
    s.stop()
    s.wait()
    t.cleanup()


if __name__ == '__main__':
    mode, url, topic, name = sys.argv[1:5]
    {'client': client, 'server': server}[mode](url, topic, name)
