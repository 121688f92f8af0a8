#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace fedgate::planner::exec {

// Maps byte-string keys (see AppendKey) to dense ids 0, 1, 2, ... in insertion order. Open
// addressing with linear probing over 64-bit hashes; the key bytes live in one arena, so an
// insert allocates nothing of its own. The hash join and the hash aggregate key on it.
class KeyTable {
 public:
  KeyTable() { slots_.assign(16, Slot{}); }

  // The key's id; a new key gets the next id and `inserted` is set.
  uint32_t FindOrInsert(std::string_view key, bool& inserted) {
    const uint64_t h = Hash(key);
    size_t i = h & (slots_.size() - 1);
    for (;; i = (i + 1) & (slots_.size() - 1)) {
      Slot& s = slots_[i];
      if (s.id == kEmpty) break;
      if (s.hash == h && KeyOf(s.id) == key) {
        inserted = false;
        return s.id;
      }
    }
    inserted = true;
    const uint32_t id = static_cast<uint32_t>(offsets_.size());
    offsets_.push_back(arena_.size());
    arena_.append(key);
    slots_[i] = Slot{h, id};
    if (offsets_.size() * 2 > slots_.size()) Grow();
    return id;
  }

  // The key's id, or -1 when absent.
  int64_t Find(std::string_view key) const {
    const uint64_t h = Hash(key);
    for (size_t i = h & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      const Slot& s = slots_[i];
      if (s.id == kEmpty) return -1;
      if (s.hash == h && KeyOf(s.id) == key) return s.id;
    }
  }

  size_t size() const { return offsets_.size(); }
  size_t MemoryBytes() const {
    return slots_.capacity() * sizeof(Slot) + offsets_.capacity() * sizeof(uint64_t) +
           arena_.capacity();
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  struct Slot {
    uint64_t hash = 0;
    uint32_t id = kEmpty;
  };

  static uint64_t Hash(std::string_view key) { return std::hash<std::string_view>{}(key); }

  std::string_view KeyOf(uint32_t id) const {
    const uint64_t begin = offsets_[id];
    const uint64_t end = id + 1 < offsets_.size() ? offsets_[id + 1] : arena_.size();
    return std::string_view(arena_).substr(begin, end - begin);
  }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.size() * 2, Slot{});
    for (const Slot& s : old) {
      if (s.id == kEmpty) continue;
      size_t i = s.hash & (slots_.size() - 1);
      while (slots_[i].id != kEmpty) i = (i + 1) & (slots_.size() - 1);
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  std::vector<uint64_t> offsets_;
  std::string arena_;
};

}  // namespace fedgate::planner::exec
