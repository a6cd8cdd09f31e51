# fog-openstack (Debian's ruby-fog-openstack) against novadock: the compute requests whose paths fog
# builds with a doubled slash ("#{@path}/" + "/limits" gives /compute/v2.1//limits), plus a few
# ordinary ones as a control. Needs OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME.
# Usage: ruby fog_paths.rb SERVER_ID SERVER_GROUP_ID PROJECT_ID
# Prints one JSON array: [{call, ok, status, path}], path being the last request fog sent.
require 'fog/openstack'
require 'json'

server_id, group_id, project_id = ARGV

# Excon calls the instrumentor around every request: remember the paths fog actually sent.
module PathRecorder
  @paths = []
  class << self
    attr_reader :paths

    def instrument(name, params = {})
      @paths << "#{params[:method].to_s.upcase} #{params[:path]}" if name == 'excon.request'
      yield if block_given?
    end
  end
end

compute = Fog::OpenStack::Compute.new(
  openstack_auth_url: ENV.fetch('OS_AUTH_URL'),
  openstack_username: ENV.fetch('OS_USERNAME'),
  openstack_api_key: ENV.fetch('OS_PASSWORD'),
  openstack_project_name: ENV.fetch('OS_PROJECT_NAME'),
  openstack_domain_name: 'Default',
  openstack_region: 'RegionOne',
  connection_options: { instrumentor: PathRecorder }
)

calls = {
  'get_limits' => -> { compute.get_limits },
  'list_metadata' => -> { compute.list_metadata('servers', server_id) },
  'get_quota' => -> { compute.get_quota(project_id) },
  'get_quota_defaults' => -> { compute.get_quota_defaults(project_id) },
  'update_quota' => -> { compute.update_quota(project_id, 'metadata_items' => 128) },
  'get_server_group' => -> { compute.get_server_group(group_id) },
  'list_servers' => -> { compute.list_servers },
  'list_server_groups' => -> { compute.list_server_groups }
}

results = calls.map do |name, call|
  PathRecorder.paths.clear
  begin
    response = call.call
    { call: name, ok: true, status: response.status, path: PathRecorder.paths.last }
  rescue StandardError => e
    # fog re-raises Excon's HTTP error as its own (Fog::OpenStack::Compute::NotFound …): the cause has the response
    response = [e, e.cause].find { |x| x.respond_to?(:response) }&.response
    { call: name, ok: false, status: response&.status, path: PathRecorder.paths.last, error: "#{e.class}: #{e.message.lines.first}".strip }
  end
end
puts JSON.generate(results)
