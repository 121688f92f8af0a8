#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace fedgate {

// A bounded queue that a thread of its own fills ahead of its reader, so producing (a source
// query, the network) and consuming overlap. `produce(item)` makes the next item and returns
// false for the last one (which is still queued); what it throws is rethrown by Take once the
// items before it are taken. The owner must make a blocked `produce` return (cancel its scan)
// before destroying the ReadAhead, which then stops and joins the thread.
template <typename T>
class ReadAhead {
 public:
  ReadAhead(size_t depth, std::function<bool(T&)> produce)
      : depth_(depth), produce_(std::move(produce)), thread_([this] { Run(); }) {}
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;
  ~ReadAhead() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  // The next item; false once the last one has been taken.
  bool Take(T& out) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !queue_.empty() || error_ || finished_; });
    if (queue_.empty()) {
      if (error_) std::rethrow_exception(error_);
      return false;
    }
    out = std::move(queue_.front());
    queue_.pop_front();
    cv_.notify_all();
    return true;
  }

 private:
  void Run() {
    try {
      for (;;) {
        {
          std::unique_lock lock(mu_);
          cv_.wait(lock, [&] { return queue_.size() < depth_ || stop_; });
          if (stop_) return;
        }
        T item;
        const bool more = produce_(item);
        std::lock_guard lock(mu_);
        queue_.push_back(std::move(item));
        if (!more) finished_ = true;
        cv_.notify_all();
        if (!more) return;
      }
    } catch (...) {
      std::lock_guard lock(mu_);
      error_ = std::current_exception();
      cv_.notify_all();
    }
  }

  const size_t depth_;
  std::function<bool(T&)> produce_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> queue_;
  std::exception_ptr error_;
  bool finished_ = false;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the rest is built
};

}  // namespace fedgate
