// gophercloud (Terraform's OpenStack SDK; Debian's golang-github-gophercloud-gophercloud-dev) on a
// server with a network, as Terraform's resources drive it: the network found by name through
// os-tenant-networks and os-networks (below 2.36, as the compute_instance_v2 resource does without
// Neutron) and through Neutron, the server created on it, its addresses (GET /servers/{id},
// /ips, /ips/{network}), a floating IP through the compute API (compute_floatingip_associate_v2,
// below 2.44) and through the network API on the server's port, the last security group removed
// and added again. Usage: network_flow NETWORK_NAME IMAGE_ID FLAVOR_ID (OS_* variables, Keystone v3).
// Prints one JSON array: [{step, ok, value, error}].
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud"
	"github.com/gophercloud/gophercloud/openstack"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/extensions/floatingips"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/extensions/networks"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/extensions/secgroups"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/extensions/tenantnetworks"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/servers"
	l3fip "github.com/gophercloud/gophercloud/openstack/networking/v2/extensions/layer3/floatingips"
	nnets "github.com/gophercloud/gophercloud/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/openstack/networking/v2/ports"
)

type step struct {
	Step  string      `json:"step"`
	OK    bool        `json:"ok"`
	Value interface{} `json:"value,omitempty"`
	Error string      `json:"error,omitempty"`
}

var steps []step

func rec(name string, v interface{}, err error) bool {
	s := step{Step: name, OK: err == nil, Value: v}
	if err != nil {
		s.Error = err.Error()
	}
	steps = append(steps, s)
	return err == nil
}

func main() {
	defer func() { b, _ := json.Marshal(steps); fmt.Println(string(b)) }()
	netName, imageID, flavorID := os.Args[1], os.Args[2], os.Args[3]
	opts, _ := openstack.AuthOptionsFromEnv()
	provider, err := openstack.AuthenticatedClient(opts)
	if !rec("auth", nil, err) {
		return
	}
	eo := gophercloud.EndpointOpts{Region: os.Getenv("OS_REGION_NAME")}
	compute, _ := openstack.NewComputeV2(provider, eo)
	network, err := openstack.NewNetworkV2(provider, eo)
	rec("network client", nil, err)
	// Terraform's network lookup below 2.36 when Neutron is not used: os-tenant-networks
	var netID string
	if pages, err := tenantnetworks.List(compute).AllPages(); rec("tenantnetworks.List", nil, err) {
		tn, err := tenantnetworks.ExtractNetworks(pages)
		rec("tenantnetworks.Extract", tn, err)
		for _, n := range tn {
			if n.Name == netName {
				netID = n.ID
			}
		}
		if netID != "" {
			n, err := tenantnetworks.Get(compute, netID).Extract()
			rec("tenantnetworks.Get", n, err)
		}
	}
	if pages, err := networks.List(compute).AllPages(); rec("networks.List", nil, err) {
		ns, err := networks.ExtractNetworks(pages)
		rec("networks.Extract", len(ns), err)
	}
	if pages, err := nnets.List(network, nnets.ListOpts{Name: netName}).AllPages(); rec("neutron networks.List", nil, err) {
		ns, err := nnets.ExtractNetworks(pages)
		rec("neutron networks.Extract", len(ns), err)
	}
	srv, err := servers.Create(compute, servers.CreateOpts{Name: "go-vm", ImageRef: imageID, FlavorRef: flavorID,
		Networks: []servers.Network{{UUID: netID}}}).Extract()
	if !rec("servers.Create", nil, err) {
		return
	}
	err = servers.WaitForStatus(compute, srv.ID, "ACTIVE", 120)
	rec("WaitForStatus", nil, err)
	got, err := servers.Get(compute, srv.ID).Extract()
	rec("servers.Get addresses", got.Addresses, err)
	if pages, err := servers.ListAddresses(compute, srv.ID).AllPages(); rec("ListAddresses", nil, err) {
		a, err := servers.ExtractAddresses(pages)
		rec("ExtractAddresses", a, err)
	}
	if pages, err := servers.ListAddressesByNetwork(compute, srv.ID, netName).AllPages(); rec("ListAddressesByNetwork", nil, err) {
		a, err := servers.ExtractNetworkAddresses(pages)
		rec("ExtractNetworkAddresses", a, err)
	}
	// compute floating IP (Terraform's openstack_compute_floatingip_associate_v2)
	fip, err := floatingips.Create(compute, floatingips.CreateOpts{Pool: "public"}).Extract()
	if rec("compute floatingips.Create", fip, err) {
		err = floatingips.AssociateInstance(compute, srv.ID, floatingips.AssociateOpts{FloatingIP: fip.IP}).ExtractErr()
		rec("AssociateInstance", nil, err)
		g, err := floatingips.Get(compute, fip.ID).Extract()
		rec("floatingips.Get after associate", g, err)
		got, err := servers.Get(compute, srv.ID).Extract()
		rec("servers.Get after associate", got.Addresses, err)
		err = floatingips.DisassociateInstance(compute, srv.ID, floatingips.DisassociateOpts{FloatingIP: fip.IP}).ExtractErr()
		rec("DisassociateInstance", nil, err)
		rec("compute floatingips.Delete", nil, floatingips.Delete(compute, fip.ID).ExtractErr())
	}
	// neutron floating IP on the server's port (openstack_networking_floatingip_associate_v2)
	if pages, err := ports.List(network, ports.ListOpts{DeviceID: srv.ID}).AllPages(); rec("ports.List", nil, err) {
		ps, _ := ports.ExtractPorts(pages)
		if len(ps) > 0 {
			extNets, _ := nnets.List(network, nnets.ListOpts{Name: "public"}).AllPages()
			en, _ := nnets.ExtractNetworks(extNets)
			f, err := l3fip.Create(network, l3fip.CreateOpts{FloatingNetworkID: en[0].ID, PortID: ps[0].ID}).Extract()
			if rec("l3 floatingips.Create with port", f, err) {
				// the server's addresses follow the port's records (Neutron's event to Nova): read until it shows
				var got *servers.Server
				for i := 0; i < 80; i++ {
					if got, err = servers.Get(compute, srv.ID).Extract(); err != nil || strings.Contains(fmt.Sprint(got.Addresses), f.FloatingIP) {
						break
					}
					time.Sleep(250 * time.Millisecond)
				}
				rec("servers.Get after l3 fip", got.Addresses, err)
				rec("l3 Delete", nil, l3fip.Delete(network, f.ID).ExtractErr())
			}
		}
	}
	if pages, err := secgroups.ListByServer(compute, srv.ID).AllPages(); rec("secgroups.ListByServer", nil, err) {
		g, err := secgroups.ExtractSecurityGroups(pages)
		rec("secgroups.Extract", len(g), err)
	}
	rec("secgroups.RemoveServer", nil, secgroups.RemoveServer(compute, srv.ID, "default").ExtractErr())
	if pages, err := secgroups.ListByServer(compute, srv.ID).AllPages(); rec("secgroups.ListByServer after remove", nil, err) {
		g, err := secgroups.ExtractSecurityGroups(pages)
		rec("secgroups.Extract after remove", len(g), err)
	}
	rec("secgroups.AddServer", nil, secgroups.AddServer(compute, srv.ID, "default").ExtractErr())
	rec("servers.Delete", nil, servers.Delete(compute, srv.ID).ExtractErr())
}
