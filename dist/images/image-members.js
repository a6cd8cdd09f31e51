// Glance's members API: the owner of a `shared` image lists, adds and removes member projects; a
// member accepts or rejects (only then is the image in its default list, though it may read it
// while pending). Visibility and ownership checks come from the image service.
import { canWrite } from '../identity/auth-context.js';
import { BadRequest, Conflict, Forbidden, NotFound } from '../errors.js';
export class ImageMembers {
    images;
    repo;
    clock;
    constructor(images, repo, clock) {
        this.images = images;
        this.repo = repo;
        this.clock = clock;
    }
    assertShared(image) {
        if (image.visibility !== 'shared')
            throw new Forbidden(`Image ${image.id} is not a shared image: only shared images have members.`);
    }
    async list(auth, id) {
        const image = await this.images.get(auth, id);
        this.assertShared(image);
        const members = await this.repo.members(image.id);
        // A member sees only its own membership; the owner sees all.
        return this.images.isOwner(auth, image) ? members : members.filter((m) => m.member === auth.projectId);
    }
    async get(auth, id, member) {
        const image = await this.images.get(auth, id);
        this.assertShared(image);
        const row = await this.repo.findMember(image.id, member);
        if (!row || (!this.images.isOwner(auth, image) && member !== auth.projectId))
            throw new NotFound(`${member} is not a member of image ${image.id}`);
        return row;
    }
    async add(auth, id, member) {
        const image = await this.images.getOwned(auth, id, 'add members to');
        this.assertShared(image);
        if (typeof member !== 'string' || member.length === 0 || member.length > 255)
            throw new BadRequest("Provided object does not match schema 'member': 'member' must be a project id (a non-empty string)");
        if (await this.repo.findMember(image.id, member))
            throw new Conflict(`Member ${member} already associated with image ${image.id}`);
        const now = this.clock.now().toISOString();
        const row = { image_id: image.id, member, status: 'pending', created_at: now, updated_at: now };
        await this.repo.insertMember(row);
        return row;
    }
    async setStatus(auth, id, member, status) {
        const image = await this.images.get(auth, id);
        this.assertShared(image);
        const row = await this.repo.findMember(image.id, member);
        if (!row)
            throw new NotFound(`${member} is not a member of image ${image.id}`);
        if (member !== auth.projectId)
            throw new Forbidden('You are not permitted to modify the status of this member: only the member may accept or reject.');
        if (!canWrite(auth))
            throw new Forbidden("Policy doesn't allow modify_member to be performed.");
        if (status !== 'pending' && status !== 'accepted' && status !== 'rejected') {
            throw new BadRequest(`Provided object does not match schema 'member': ${JSON.stringify(status)} is not one of ['pending', 'accepted', 'rejected']`);
        }
        await this.repo.updateMember(image.id, member, { status, updated_at: this.clock.now().toISOString() });
        return (await this.repo.findMember(image.id, member));
    }
    async remove(auth, id, member) {
        const image = await this.images.getOwned(auth, id, 'remove members from');
        this.assertShared(image);
        if ((await this.repo.deleteMember(image.id, member)) === 0)
            throw new NotFound(`${member} is not a member of image ${image.id}`);
    }
}
//# sourceMappingURL=image-members.js.map