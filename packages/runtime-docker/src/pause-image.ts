/**
 * The pause container's image, built in: ECS's agent ships its pause image as a tarball and loads it
 * into Docker; Baton builds the same kind of tarball in memory — one static executable, `/pause`,
 * that blocks forever — and imports it into an engine that lacks it. The executable is a minimal ELF
 * file whose code is a loop around one blocking system call, so nothing needs compiling or pulling.
 */

/** Machine code per Docker architecture name: a loop that blocks in the kernel forever. */
const programs: Readonly<Record<string, { readonly machine: number; readonly code: readonly number[] }>> = {
  // loop: mov eax, 34 (pause); syscall; jmp loop
  x86_64: { machine: 0x3e, code: [0xb8, 0x22, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xeb, 0xf7] },
  // loop: mov x0..x3, #0; mov x8, #73 (ppoll: no fds, no timeout); svc #0; b loop
  aarch64: {
    machine: 0xb7,
    code: [0xd2800000, 0xd2800001, 0xd2800002, 0xd2800003, 0xd2800928, 0xd4000001, 0x17fffffa].flatMap(
      (word) => [word & 0xff, (word >>> 8) & 0xff, (word >>> 16) & 0xff, (word >>> 24) & 0xff],
    ),
  },
};

const architectureAliases: Readonly<Record<string, string>> = { amd64: 'x86_64', arm64: 'aarch64' };

/** Whether Baton has a built-in pause executable for an engine's architecture. */
export function hasPauseProgram(architecture: string): boolean {
  return (architectureAliases[architecture] ?? architecture) in programs;
}

/** A static ELF executable (one loadable segment, no sections) running `code` from its entry point. */
export function pauseExecutable(architecture: string): Buffer {
  const program = programs[architectureAliases[architecture] ?? architecture];
  if (!program)
    throw new Error(`no built-in pause program for architecture ${architecture}: set the agent's pauseImage`);
  const base = 0x400000;
  const headerSize = 64 + 56;
  const size = headerSize + program.code.length;
  const b = Buffer.alloc(size);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // ELF, 64-bit, little-endian, version 1, System V
  b.writeUInt16LE(2, 16); // e_type: executable
  b.writeUInt16LE(program.machine, 18);
  b.writeUInt32LE(1, 20); // e_version
  b.writeBigUInt64LE(BigInt(base + headerSize), 24); // e_entry
  b.writeBigUInt64LE(64n, 32); // e_phoff
  b.writeUInt16LE(64, 52); // e_ehsize
  b.writeUInt16LE(56, 54); // e_phentsize
  b.writeUInt16LE(1, 56); // e_phnum
  b.writeUInt32LE(1, 64); // p_type: PT_LOAD
  b.writeUInt32LE(5, 68); // p_flags: read + execute
  b.writeBigUInt64LE(0n, 72); // p_offset
  b.writeBigUInt64LE(BigInt(base), 80); // p_vaddr
  b.writeBigUInt64LE(BigInt(base), 88); // p_paddr
  b.writeBigUInt64LE(BigInt(size), 96); // p_filesz
  b.writeBigUInt64LE(BigInt(size), 104); // p_memsz
  b.writeBigUInt64LE(0x1000n, 112); // p_align
  b.set(program.code, headerSize);
  return b;
}

/** A ustar header for one regular file. */
function tarHeader(name: string, size: number, mode: number): Buffer {
  const h = Buffer.alloc(512);
  const field = (value: string, offset: number, length: number) => h.write(value, offset, length, 'ascii');
  const octal = (n: number, length: number) => `${n.toString(8).padStart(length - 1, '0')}\0`;
  field(name, 0, 100);
  field(octal(mode, 8), 100, 8);
  field(octal(0, 8), 108, 8); // uid
  field(octal(0, 8), 116, 8); // gid
  field(octal(size, 12), 124, 12);
  field(octal(0, 12), 136, 12); // mtime: fixed, so the image is the same on every import
  field('        ', 148, 8); // checksum placeholder (spaces while summing)
  field('0', 156, 1); // regular file
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  let sum = 0;
  for (const byte of h) sum += byte;
  field(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

/** The pause image's root filesystem as a tar archive: `/pause`, executable. */
export function pauseImageTarball(architecture: string): Buffer {
  const exe = pauseExecutable(architecture);
  const padding = Buffer.alloc((512 - (exe.length % 512)) % 512);
  return Buffer.concat([tarHeader('pause', exe.length, 0o755), exe, padding, Buffer.alloc(1024)]);
}
