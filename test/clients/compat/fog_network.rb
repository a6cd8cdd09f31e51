# fog-openstack (Debian's ruby-fog-openstack) on a server with a network, as its users write it:
# a server created with nics, its addresses, a floating IP from the network service associated with
# the server's port, the compute API's views of it (os-floating-ips, os-interface), the last security
# group removed and added again through the compute actions, the deletes.
# Usage: ruby fog_network.rb NETWORK_NAME IMAGE_ID FLAVOR_ID (OS_* variables, Keystone v3).
# Prints one JSON array on its last line: [{step, ok, value | error}].
require 'fog/openstack'
require 'json'

net_name, image_id, flavor_id = ARGV
opts = {
  openstack_auth_url: ENV.fetch('OS_AUTH_URL'), openstack_username: ENV.fetch('OS_USERNAME'),
  openstack_api_key: ENV.fetch('OS_PASSWORD'), openstack_project_name: ENV.fetch('OS_PROJECT_NAME'),
  openstack_domain_name: 'Default', openstack_region: 'RegionOne'
}
compute = Fog::OpenStack::Compute.new(opts)
network = Fog::OpenStack::Network.new(opts)
@steps = []
def step(name)
  r = yield
  @steps << { step: name, ok: true, value: r }
  r
rescue StandardError => e
  @steps << { step: name, ok: false, error: "#{e.class}: #{e.message[0, 400]}" }
  nil
end

begin
  net = network.networks.all.find { |n| n.name == net_name }
  server = step('servers.create nics') do
    compute.servers.create(name: 'fog-vm', image_ref: image_id, flavor_ref: flavor_id, nics: [{ net_id: net.id }]).id
  end
  server = compute.servers.get(server)
  step('wait_for ready') { server.wait_for(120) { ready? }; server.state }
  step('ip_addresses') { server.reload; server.ip_addresses }
  port = step('ports device_id') { network.ports.all(device_id: server.id).map(&:id) }&.first
  ext = network.networks.all.find(&:router_external)
  fip = step('floating_ips.create') { network.floating_ips.create(floating_network_id: ext.id).floating_ip_address }
  fip = network.floating_ips.all.find { |f| f.floating_ip_address == fip }
  step('associate_floating_ip') { network.associate_floating_ip(fip.id, port).body['floatingip']['fixed_ip_address'] }
  step('floating_ip_address') { server.reload; server.floating_ip_address }
  step('addresses types') { server.addresses[net_name].map { |a| [a['addr'], a['OS-EXT-IPS:type']] } }
  step('os-floating-ips') do
    compute.list_all_addresses(server.id).body['floating_ips'].select { |f| f['instance_id'] == server.id }
           .map { |f| [f['ip'], f['fixed_ip']] }
  end
  step('os-interface') { compute.list_os_interfaces(server.id).body['interfaceAttachments'].map { |i| i['port_id'] } }
  step('remove_security_group default') { compute.remove_security_group(server.id, 'default').status }
  step('security_groups after remove') { server.security_groups.map(&:name) }
  step('add_security_group default') { compute.add_security_group(server.id, 'default').status }
  step('security_groups after add') { server.security_groups.map(&:name) }
  step('disassociate_floating_ip') { network.disassociate_floating_ip(fip.id).status }
  step('floating ip destroy') { fip.destroy }
  step('server destroy') { server.destroy }
rescue StandardError => e
  @steps << { step: 'script', ok: false, error: "#{e.class}: #{e.message[0, 400]}" }
end
puts JSON.generate(@steps)
