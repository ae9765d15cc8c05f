// tests/labs/data_parallel_support.h — the in-process transport of the
// phase-12 suite (tests/labs/test_data_parallel.cpp): W ranks as W threads,
// each with a lab12::Comm, and the checks a student's code cannot get around.
// Test code only; it knows nothing about any implementation of lab.h.
//
//   World world(4, {.seed = 7});
//   world.run([&](lab12::Comm& comm) { lab12::ring_all_reduce(comm, data[comm.rank()], n); });
//   world.floats_sent(r)   // what rank r sent, in floats
//
// Messages are copied on send (send never blocks) and queued per (sender,
// receiver, tag), in order. recv_any takes, among the senders whose messages
// are waiting, one chosen by a seeded generator, and senders are delayed at
// random (a few thread yields): so the "order of arrival" really does change
// with the seed, and code that depends on it is caught.
//
// A rank that throws (an error, or "not implemented yet") stops the world:
// every rank still waiting gets an exception, run() joins every thread and
// rethrows the first error in the calling thread, where GoogleTest reports it.
// A wait longer than wait_seconds is reported as a deadlock.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "labs/12_data_parallel/lab.h"

namespace data_parallel_test {

struct WorldOptions {
  uint64_t seed = 1;          // recv_any's choices and the send delays
  double wait_seconds = 3.0;  // a recv waiting longer is a deadlock
  int max_yields = 3;         // random delay before each send: 0..max_yields thread yields
};

class World {
 public:
  explicit World(int world_size, WorldOptions opts = {})
      : w_(world_size),
        opts_(opts),
        boxes_(static_cast<std::size_t>(world_size)),
        sent_(static_cast<std::size_t>(world_size), 0),
        messages_(static_cast<std::size_t>(world_size), 0) {
    if (world_size < 1) throw std::invalid_argument("World: world_size < 1");
    for (auto& b : boxes_) b.queues.resize(static_cast<std::size_t>(world_size));
  }

  // Runs fn on every rank, one thread each; rethrows the first error.
  void run(const std::function<void(lab12::Comm&)>& fn) {
    std::vector<std::thread> threads;
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(w_));
    for (int r = 0; r < w_; ++r) {
      threads.emplace_back([this, r, &fn, &errors] {
        RankComm comm(*this, r);
        try {
          fn(comm);
        } catch (...) {
          errors[static_cast<std::size_t>(r)] = std::current_exception();
          abort_all();
        }
      });
    }
    for (auto& t : threads) t.join();
    // The first error that is not just "the world was stopped by another rank".
    std::exception_ptr first, stopped;
    for (auto& e : errors) {
      if (!e) continue;
      try {
        std::rethrow_exception(e);
      } catch (const Stopped&) {
        if (!stopped) stopped = e;
      } catch (...) {
        if (!first) first = e;
      }
    }
    if (first) std::rethrow_exception(first);
    if (stopped) std::rethrow_exception(stopped);
  }

  int64_t floats_sent(int rank) const { return sent_[static_cast<std::size_t>(rank)]; }
  int64_t messages_sent(int rank) const { return messages_[static_cast<std::size_t>(rank)]; }
  // Messages sent but never received, over the whole world.
  int64_t undelivered() const {
    int64_t n = 0;
    for (const auto& b : boxes_)
      for (const auto& per_tag : b.queues)
        for (const auto& [tag, q] : per_tag) n += static_cast<int64_t>(q.size());
    return n;
  }

 private:
  // Thrown in ranks still waiting when another rank failed.
  struct Stopped : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  using Queue = std::deque<std::vector<float>>;

  struct Mailbox {  // one per receiver
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::map<int, Queue>> queues;  // per sender, per tag
    std::mt19937_64 pick{0};
  };

  class RankComm : public lab12::Comm {
   public:
    RankComm(World& world, int rank)
        : world_(world),
          rank_(rank),
          delay_(world.opts_.seed * 7919 + static_cast<uint64_t>(rank)) {
      world_.boxes_[static_cast<std::size_t>(rank)].pick.seed(world.opts_.seed * 104729 +
                                                              static_cast<uint64_t>(rank));
    }
    int rank() const override { return rank_; }
    int world_size() const override { return world_.w_; }

    void send(int to, const float* data, int64_t count, int tag) override {
      check_peer(to, "send to");
      if (count < 0) fail("send of a negative count " + std::to_string(count));
      if (count > 0 && data == nullptr)
        fail("send of " + std::to_string(count) + " floats from a null pointer");
      if (world_.opts_.max_yields > 0) {
        std::uniform_int_distribution<int> d(0, world_.opts_.max_yields);
        for (int k = d(delay_); k > 0; --k) std::this_thread::yield();
      }
      std::vector<float> msg(data, data + count);
      Mailbox& box = world_.boxes_[static_cast<std::size_t>(to)];
      {
        std::lock_guard<std::mutex> lock(box.mu);
        box.queues[static_cast<std::size_t>(rank_)][tag].push_back(std::move(msg));
      }
      box.cv.notify_all();
      world_.sent_[static_cast<std::size_t>(rank_)] += count;
      ++world_.messages_[static_cast<std::size_t>(rank_)];
    }

    void recv(int from, float* data, int64_t count, int tag) override {
      check_peer(from, "recv from");
      Mailbox& box = world_.boxes_[static_cast<std::size_t>(rank_)];
      std::unique_lock<std::mutex> lock(box.mu);
      Queue& q = box.queues[static_cast<std::size_t>(from)][tag];
      wait(
          lock, box, [&] { return !q.empty(); },
          "a message (tag " + std::to_string(tag) + ") from rank " + std::to_string(from));
      take(q, from, data, count);
    }

    int recv_any(float* data, int64_t count, int tag) override {
      Mailbox& box = world_.boxes_[static_cast<std::size_t>(rank_)];
      std::unique_lock<std::mutex> lock(box.mu);
      const auto ready = [&] {
        std::vector<int> from;
        for (int p = 0; p < world_.w_; ++p) {
          auto& per_tag = box.queues[static_cast<std::size_t>(p)];
          const auto it = per_tag.find(tag);
          if (it != per_tag.end() && !it->second.empty()) from.push_back(p);
        }
        return from;
      };
      wait(
          lock, box, [&] { return !ready().empty(); },
          "a message (tag " + std::to_string(tag) + ") from any rank");
      // Any of the waiting messages could have been "first": pick one at random.
      const std::vector<int> from = ready();
      std::uniform_int_distribution<std::size_t> d(0, from.size() - 1);
      const int p = from[d(box.pick)];
      take(box.queues[static_cast<std::size_t>(p)][tag], p, data, count);
      return p;
    }

   private:
    [[noreturn]] void fail(const std::string& what) const {
      throw std::runtime_error("rank " + std::to_string(rank_) + " of " +
                               std::to_string(world_.w_) + ": " + what);
    }
    void check_peer(int peer, const char* what) const {
      if (peer < 0 || peer >= world_.w_)
        fail(std::string(what) + " rank " + std::to_string(peer) + ", which does not exist");
      if (peer == rank_) fail(std::string(what) + " itself (rank " + std::to_string(peer) + ")");
    }
    template <class Pred>
    void wait(std::unique_lock<std::mutex>& lock, Mailbox& box, Pred pred,
              const std::string& what) {
      const auto limit = std::chrono::duration<double>(world_.opts_.wait_seconds);
      const bool ok = box.cv.wait_for(lock, limit, [&] { return pred() || world_.stopped_; });
      if (world_.stopped_ && !pred())
        throw Stopped("rank " + std::to_string(rank_) + " stopped: another rank failed");
      if (!ok) {
        fail("waited " + std::to_string(world_.opts_.wait_seconds) + " s for " + what +
             ": a deadlock (every recv needs a matching send)?");
      }
    }
    void take(Queue& q, int from, float* data, int64_t count) {
      std::vector<float> msg = std::move(q.front());
      q.pop_front();
      if (static_cast<int64_t>(msg.size()) != count) {
        fail("received " + std::to_string(msg.size()) + " floats from rank " +
             std::to_string(from) + " but asked for " + std::to_string(count));
      }
      std::copy(msg.begin(), msg.end(), data);
    }

    World& world_;
    int rank_;
    std::mt19937_64 delay_;
  };

  void abort_all() {
    stopped_ = true;
    for (auto& b : boxes_) {
      { std::lock_guard<std::mutex> lock(b.mu); }  // no waiter misses the flag
      b.cv.notify_all();
    }
  }

  int w_;
  WorldOptions opts_;
  std::vector<Mailbox> boxes_;
  std::vector<int64_t> sent_;      // written by its own rank's thread only
  std::vector<int64_t> messages_;  // idem
  std::atomic<bool> stopped_{false};
};

}  // namespace data_parallel_test
