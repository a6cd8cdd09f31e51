// gophercloud (Terraform's OpenStack SDK; Debian's golang-github-gophercloud-gophercloud-dev) looks
// images up by name as Terraform's openstack_images_image_v2 data source does: GET
// {image}/v2/images?name=NAME. Usage: images_by_name NAME... (OS_* variables for Keystone v3).
// Prints one JSON array: [{name, ok, ids, error}].
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/gophercloud/gophercloud"
	"github.com/gophercloud/gophercloud/openstack"
	"github.com/gophercloud/gophercloud/openstack/imageservice/v2/images"
)

type result struct {
	Name  string   `json:"name"`
	OK    bool     `json:"ok"`
	IDs   []string `json:"ids"`
	Error string   `json:"error,omitempty"`
}

func main() {
	opts, err := openstack.AuthOptionsFromEnv()
	if err != nil {
		fail(err)
	}
	provider, err := openstack.AuthenticatedClient(opts)
	if err != nil {
		fail(err)
	}
	client, err := openstack.NewImageServiceV2(provider, gophercloud.EndpointOpts{Region: os.Getenv("OS_REGION_NAME")})
	if err != nil {
		fail(err)
	}
	results := []result{}
	for _, name := range os.Args[1:] {
		r := result{Name: name, IDs: []string{}}
		pages, err := images.List(client, images.ListOpts{Name: name}).AllPages()
		if err == nil {
			var found []images.Image
			found, err = images.ExtractImages(pages)
			for _, img := range found {
				r.IDs = append(r.IDs, img.ID)
			}
		}
		if err != nil {
			r.Error = err.Error()
		} else {
			r.OK = true
		}
		results = append(results, r)
	}
	out, _ := json.Marshal(results)
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
