// The runts <-> runts-init conversation, C++ side. This mirrors the PROTOCOL
// table in src/container/protocol.ts (test/unit/protocol.test.ts checks that
// every phase and message name there appears here); change both together.
#pragma once

#include <cstdint>
#include <string>

namespace runts::protocol {

// Environment variable holding the channel's fd number in runts-init.
inline constexpr const char* kInitFdEnv = "RUNTS_INIT_FD";

// Frame: 4-byte little-endian length, then that many bytes of UTF-8 JSON.
inline constexpr uint32_t kMaxFrame = 16u * 1024u * 1024u;

// One row per allowed message: in `phase`, `from` ("runts" or "init") may
// send `type`, and the conversation moves to `next` ("end": nothing more).
struct Row {
  const char* phase;
  const char* from;
  const char* type;
  const char* next;
};

inline constexpr Row kTable[] = {
    {"start", "runts", "plan", "setup"},
    {"start", "runts", "exec", "exec-setup"},
    {"setup", "init", "hooks", "hooks"},
    {"setup", "init", "created", "end"},
    {"setup", "init", "error", "end"},
    {"hooks", "runts", "resume", "setup"},
    {"exec-setup", "init", "created", "end"},
    {"exec-setup", "init", "error", "end"},
};

// Returns the phase following `phase` when `type` is allowed there, or
// nullptr: the caller then fails with "protocol: unexpected message <type> in <phase>".
const char* advance(const std::string& phase, const std::string& type);

// read_frame's `err` when the peer closed before sending any byte.
inline constexpr const char* kCleanEof = "EOF";

// Reads one whole frame (blocking, EINTR-safe). Returns false with `err` set
// (kCleanEof, "EOF before a complete frame", "frame of N bytes exceeds ...",
// or errno text).
bool read_frame(int fd, std::string& body, std::string& err);

// Writes one frame; never raises SIGPIPE. Returns false and sets errno on failure.
bool write_frame(int fd, const std::string& body);

}  // namespace runts::protocol
