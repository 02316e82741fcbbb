/**
 * Server-side options of the agent-based mechanism drivers (ml2_conf.ini): what the openvswitch
 * and linuxbridge drivers put in vif_details (neutron/conf/agent/securitygroups_rpc.py,
 * neutron/conf/plugins/ml2/drivers/openvswitch/mech_ovs_conf.py, Zed defaults).
 */
import { boolOpt, listOpt, strOpt } from './opts.js';
import { type ConfigOf, section } from './schema.js';

export const securityGroupSection = section('securitygroup', {
  enable_security_group: boolOpt({ default: true, help: 'Whether ports get security group filtering: binding:vif_details port_filter of the openvswitch and linuxbridge drivers.' }),
  firewall_driver: strOpt({ help: "The agents' firewall driver as the server assumes it: unset or iptables_hybrid makes the openvswitch driver ask for hybrid plugging (ovs_hybrid_plug), unless the agent reports its own ovs_hybrid_plug." }),
}, { sampleFile: 'ml2_conf.ini' });

export const ovsDriverSection = section('ovs_driver', {
  vnic_type_prohibit_list: listOpt({ default: [], help: 'binding:vnic_type values the openvswitch driver must not bind (from normal, direct, smart-nic, vhost-vdpa).' }),
}, { sampleFile: 'ml2_conf.ini' });

export const agentMechSections = [securityGroupSection, ovsDriverSection] as const;
export type AgentMechConfig = ConfigOf<typeof agentMechSections>;
