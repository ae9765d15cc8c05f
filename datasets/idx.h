// datasets/idx.h — the IDX format of MNIST and Fashion-MNIST, raw or gzipped.
//
// An IDX file is a big-endian header followed by the raw elements:
//   offset 0: magic = 0x00 0x00 <dtype code> <ndim>   (0x08 = unsigned byte)
//   offset 4: ndim sizes, uint32 big-endian each
//   then:     product(sizes) elements, row-major
// Images are 0x00000803 (N, rows, cols) bytes; labels are 0x00000801 (N).
// A file is gzip-compressed if it starts with 1f 8b (its name is not looked at).
//
// These are readers of outside bytes: corrupt input gives a
// std::runtime_error naming the file, the byte offset and what was wrong
// (offsets in a .gz file count decompressed bytes), never a crash, a hang or
// a huge allocation. The parse_* functions work on bytes in memory (fuzz
// targets call them); the load_* functions read a file and call them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "datasets/dataset.h"

namespace gradlab::data {

enum class Split { Train, Test };

// Where Debian's dataset-fashion-mnist package installs the four .gz files.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// bytes: an IDX images file -> (N, rows, cols) Float32, pixel/255 in [0, 1]
// if scale, else the raw 0..255 values. `name` is used in error messages.
Tensor parse_idx_images(const std::vector<uint8_t>& bytes, const std::string& name,
                        bool scale = true);
// bytes: an IDX labels file -> (N) Int64 with values in [0, 255].
Tensor parse_idx_labels(const std::vector<uint8_t>& bytes, const std::string& name);

// The same, reading the file at `path` (error names the path if unreadable).
Tensor load_idx_images(const std::string& path, bool scale = true);
Tensor load_idx_labels(const std::string& path);

// What an IDX file's header says, read from its first bytes only (inflated
// when the file is gzipped): dims (N, rows, cols) for images, (N) for labels.
// For sizing a load before making it; the same header checks (and errors) as
// the readers, which still check everything else.
struct IdxHeader {
  Shape dims;
  uint64_t file_bytes = 0;  // on disk (compressed for .gz)
  bool gzipped = false;
};
IdxHeader read_idx_header(const std::string& path, bool images);

struct IdxOptions {
  bool scale = true;                     // pixels in [0, 1] (else 0..255), Float32 either way
  int64_t num_classes = 0;               // 0: max label + 1; otherwise every label must be below it
  std::vector<std::string> class_names;  // empty: "0", "1", ...
};

// An images file and a labels file -> Dataset with features (N, rows, cols).
// Throws std::runtime_error naming both files if their counts differ, and
// naming the labels file and offset for a label >= opts.num_classes.
Dataset load_idx(const std::string& images_path, const std::string& labels_path,
                 const IdxOptions& opts = {});

// The path of one file of an MNIST-layout directory: for Split::Train and
// kind "images" tries train-images-idx3-ubyte.gz, train-images-idx3-ubyte,
// train-images.idx3-ubyte (.gz); Test uses the "t10k" prefix; kind
// "labels" uses labels-idx1. Throws std::runtime_error naming the directory
// and the expected names if none exists.
std::string find_mnist_file(const std::string& dir, Split split, const std::string& kind);

// Any directory in the MNIST layout (MNIST, Fashion-MNIST, KMNIST, ...).
Dataset load_mnist_dir(const std::string& dir, Split split, const IdxOptions& opts = {});

// Fashion-MNIST: 60000 (Train) or 10000 (Test) images (N, 28, 28), 10 classes
// with their names. A missing file's error names the path and the Debian
// package that provides it.
Dataset load_fashion_mnist(const std::string& dir, Split split, bool scale = true);
Dataset load_fashion_mnist(Split split, bool scale = true);  // from kFashionMnistDir

}  // namespace gradlab::data
