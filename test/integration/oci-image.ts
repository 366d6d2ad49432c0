// A tiny busybox image made locally, for the containerd and podman tests:
// a rootfs tarball (podman import) and an OCI image layout archive with
// correct sha256 digests (ctr image import). No network, no registry.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRootfs } from './helpers.ts';

/** Writes `dir/rootfs.tar`: the busybox rootfs the other tests use, owned by root. */
export function rootfsTarball(dir: string): string {
  const rootfs = join(dir, 'image-rootfs');
  makeRootfs(rootfs);
  const tar = join(dir, 'rootfs.tar');
  execFileSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '--sort=name', '-C', rootfs, '-cf', tar, '.']);
  return tar;
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/**
 * Writes an OCI image layout archive of the busybox rootfs named `name`
 * (e.g. "docker.io/runts/busybox:test") and returns its path. The layer is
 * an uncompressed tar, so its digest is also its diff_id.
 */
export function ociArchive(dir: string, name: string): string {
  const layout = join(dir, 'oci-layout');
  const blobs = join(layout, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const blob = (content: Buffer | string): { digest: string; size: number } => {
    const hex = sha256(content);
    writeFileSync(join(blobs, hex), content);
    return { digest: `sha256:${hex}`, size: Buffer.byteLength(content) };
  };
  const layer = blob(readFileSync(rootfsTarball(dir)));
  const config = blob(
    JSON.stringify({
      architecture: process.arch === 'arm64' ? 'arm64' : 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'], WorkingDir: '/' },
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
      history: [{ created_by: 'runts test: busybox-static' }],
    }),
  );
  const manifest = blob(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
    }),
  );
  const tag = name.slice(name.lastIndexOf(':') + 1);
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const archive = join(dir, 'image.oci.tar');
  execFileSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', layout, '-cf', archive, 'oci-layout', 'index.json', 'blobs']);
  return archive;
}
