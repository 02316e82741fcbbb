/**
 * Flow texts covering every match field, instruction and action the library encodes, in the
 * `ovs-ofctl add-flow` syntax (shared by the vector and switch tests).
 */
export const FLOW_LINES = [
  'table=0,priority=100,in_port=1,actions=set_field:0x1388->tun_id,goto_table:10',
  'table=1,priority=90,ip,nw_src=192.0.2.0/24,nw_dst=198.51.100.7,actions=load:0x5->NXM_NX_REG0[],load:0x3->NXM_NX_REG1[0..7],move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],resubmit(,3),resubmit(2,4),output:2',
  'table=0,priority=80,tcp,dl_vlan=5,tp_dst=80,actions=pop_vlan,dec_ttl,set_queue:3,group:1,CONTROLLER:65535',
  'table=0,priority=70,udp6,ipv6_src=2001:db8::/32,tp_src=53,actions=push_vlan:0x8100,set_field:4101->vlan_vid,IN_PORT,NORMAL,FLOOD,ALL,LOCAL',
  'table=0,priority=60,arp,arp_spa=192.0.2.1,arp_tpa=192.0.2.2,arp_op=1,arp_sha=00:11:22:33:44:55,arp_tha=00:00:00:00:00:00,actions=drop',
  'table=0,priority=50,reg3=0x7,metadata=0x5/0xff,vlan_tci=0x1000/0x1000,actions=clear_actions,write_actions(output:3),write_metadata:0x1/0xff,goto_table:5',
  'table=0,cookie=0x1234,priority=40,idle_timeout=10,hard_timeout=20,send_flow_rem,dl_src=00:11:22:33:44:55,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=conjunction(7,1/2),note:01.02.03.04.05.06',
  'table=10,priority=1,tun_id=0x64,actions=learn(table=20,hard_timeout=300,priority=1,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:NXM_OF_IN_PORT[])',
  'table=11,priority=5,conj_id=7,actions=output:4',
  'table=12,priority=5,ip,tun_src=198.51.100.1,vlan_tci=0x0000/0x1fff,actions=set_field:198.51.100.2->tun_dst,set_field:00:11:22:33:44:55->eth_src,set_field:192.0.2.9->ip_dst,output:1',
  'table=13,priority=7,icmp6,ipv6_dst=2001:db8::1,icmp_type=135,actions=output:NXM_NX_REG0[]',
  'table=13,priority=8,icmp,nw_tos=4,icmp_type=8,icmp_code=0,actions=CONTROLLER:65535',
  'table=13,priority=10,ip,nw_proto=47,nw_tos=20,nw_ecn=1,actions=set_field:5->ip_dscp,output:1',
  'table=14,priority=3,udp,tp_src=0x100/0xff00,actions=note:aa.bb.cc.dd.ee.ff.11.22.33.44.55.66.77.88,learn(table=30,idle_timeout=5,fin_idle_timeout=2,fin_hard_timeout=3,send_flow_rem,delete_learned,cookie=0x9,eth_type=0x800,NXM_NX_REG0[0..3]=0x5,NXM_OF_IP_SRC[]=NXM_OF_IP_DST[],output:NXM_NX_REG1[0..15])',
  'table=15,priority=2,ipv6,tun_id=0x5/0xff,tun_dst=198.51.100.0/24,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,ipv6_label=0x12345,actions=set_field:0x7->reg2,set_field:0x5->metadata,set_field:2001:db8::5->ipv6_dst,set_field:0x1234->tun_id',
  'table=16,priority=1,in_port=LOCAL,dl_type=0x88cc,actions=IN_PORT',
  'table=16,send_flow_rem,reset_counts,no_packet_counts,actions=drop',
  // conntrack, flags and the other fields NetVirt-style pipelines need
  'table=20,priority=10,pkt_mark=0x5/0xff,ct_state=-new+est-rel-inv+trk,ct_zone=5,ct_mark=0x1/0x3,ct_label=0x1/0xff,ct_nw_src=192.0.2.1,ct_nw_proto=6,ct_tp_dst=80,tcp,reg0=0x1,nw_ttl=4,nw_frag=no,tp_dst=22,tcp_flags=+syn-ack,actions=ct(commit,table=30,zone=NXM_NX_REG6[0..15],nat(src=192.0.2.1-192.0.2.5:100-200,persistent,random),exec(set_field:0x1->ct_mark,load:0x1->NXM_NX_CT_LABEL[1]),alg=ftp),ct_clear,note:01.02.03',
  'table=20,priority=11,icmp6,ipv6_src=2001:db8::2,icmp_type=135,nd_target=2001:db8::1,nd_sll=fa:16:3e:00:00:01,actions=ct(zone=3,nat),ct(commit,nat(dst=[2001:db8::1]-[2001:db8::3]:80)),ct(commit,nat(src))',
  'table=20,priority=12,icmp6,icmp_type=136,nd_target=2001:db8::/64,nd_tll=fa:16:3e:00:00:00/ff:ff:ff:00:00:00,actions=ct(commit,force,zone=7,exec(set_field:0x10000000000000000000000000000001->ct_label))',
  'table=20,priority=13,tcp,tcp_flags=syn|ack,actions=drop',
  'table=20,priority=14,ct_state=trk,ct_zone=6,ct_mark=0x5,ip,nw_frag=later,actions=ct(table=31,zone=6)',
  'table=20,priority=15,pkt_mark=0/0x1,ct_mark=0,ct_label=0/0x1,ip,reg0=0/0x1,actions=set_field:0->reg1,ct(commit,exec(set_field:0->ct_mark,set_field:0->ct_label))',
  'table=20,priority=16,ct_state=-rpl+trk+snat-dnat,tcp,tcp_flags=+syn-cwr+ns,actions=drop',
  'table=20,priority=17,ct_state=+est-inv+trk,ct_ipv6_src=2001:db8::/64,ct_nw_proto=17,ct_tp_src=0x10/0xf0,ipv6,nw_frag=not_later,actions=ct_clear,ct(commit,nat(dst=2001:db8::1-2001:db8::3))',
  'table=20,priority=18,udp,nw_frag=yes,actions=ct(commit,nat(dst=192.0.2.1:53),alg=tftp)',
  'table=20,priority=19,ip,nw_frag=first,actions=ct(),ct(commit,nat(dst=192.0.2.1-192.0.2.9,hash))',
]
