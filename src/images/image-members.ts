// Glance's members API: the owner of a `shared` image lists, adds and removes member projects; a
// member accepts or rejects (only then is the image in its default list, though it may read it
// while pending). Visibility and ownership checks come from the image service.
import { type AuthContext, canWrite } from '../identity/auth-context.js';
import type { Clock } from '../db/time.js';
import type { ImageMemberRow, ImageRow, ImagesRepo } from '../db/repositories/images-repo.js';
import { BadRequest, Conflict, Forbidden, ImageMemberNotFound, PolicyForbids } from '../errors.js';

/** What the members API asks of the image service: visibility and ownership, as it decides them. */
export interface ImageAccess {
  isOwner(auth: AuthContext, image: ImageRow): boolean;
  get(auth: AuthContext, id: string): Promise<ImageRow>;
  getOwned(auth: AuthContext, id: string, verb: string): Promise<ImageRow>;
}

export class ImageMembers {
  constructor(
    private readonly images: ImageAccess,
    private readonly repo: ImagesRepo,
    private readonly clock: Clock,
  ) {}

  private assertShared(image: ImageRow): void {
    if (image.visibility !== 'shared')
      throw new Forbidden(`Image ${image.id} is not a shared image: only shared images have members.`);
  }

  async list(auth: AuthContext, id: string): Promise<ImageMemberRow[]> {
    const image = await this.images.get(auth, id);
    this.assertShared(image);
    const members = await this.repo.members(image.id);
    // A member sees only its own membership; the owner sees all.
    return this.images.isOwner(auth, image) ? members : members.filter((m) => m.member === auth.projectId);
  }

  async get(auth: AuthContext, id: string, member: string): Promise<ImageMemberRow> {
    const image = await this.images.get(auth, id);
    this.assertShared(image);
    const row = await this.repo.findMember(image.id, member);
    if (!row || (!this.images.isOwner(auth, image) && member !== auth.projectId))
      throw ImageMemberNotFound(member, image.id);
    return row;
  }

  async add(auth: AuthContext, id: string, member: unknown): Promise<ImageMemberRow> {
    const image = await this.images.getOwned(auth, id, 'add members to');
    this.assertShared(image);
    if (typeof member !== 'string' || member.length === 0 || member.length > 255)
      throw new BadRequest(
        "Provided object does not match schema 'member': 'member' must be a project id (a non-empty string)",
      );
    if (await this.repo.findMember(image.id, member))
      throw new Conflict(`Member ${member} already associated with image ${image.id}`);
    const now = this.clock.now().toISOString();
    const row: ImageMemberRow = { image_id: image.id, member, status: 'pending', created_at: now, updated_at: now };
    await this.repo.insertMember(row);
    return row;
  }

  async setStatus(auth: AuthContext, id: string, member: string, status: unknown): Promise<ImageMemberRow> {
    const image = await this.images.get(auth, id);
    this.assertShared(image);
    const row = await this.repo.findMember(image.id, member);
    if (!row) throw ImageMemberNotFound(member, image.id);
    if (member !== auth.projectId)
      throw new Forbidden(
        'You are not permitted to modify the status of this member: only the member may accept or reject.',
      );
    if (!canWrite(auth)) throw PolicyForbids('modify_member');
    if (status !== 'pending' && status !== 'accepted' && status !== 'rejected') {
      throw new BadRequest(
        `Provided object does not match schema 'member': ${JSON.stringify(status)} is not one of ['pending', 'accepted', 'rejected']`,
      );
    }
    await this.repo.updateMember(image.id, member, { status, updated_at: this.clock.now().toISOString() });
    return (await this.repo.findMember(image.id, member))!;
  }

  async remove(auth: AuthContext, id: string, member: string): Promise<void> {
    const image = await this.images.getOwned(auth, id, 'remove members from');
    this.assertShared(image);
    if ((await this.repo.deleteMember(image.id, member)) === 0) throw ImageMemberNotFound(member, image.id);
  }
}
