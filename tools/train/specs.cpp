// tools/train/specs.cpp — the dataset and model tables (see specs.h).
#include "tools/train/specs.h"

#include <sys/stat.h>

#include <charconv>
#include <stdexcept>

#include "datasets/csv.h"
#include "datasets/idx.h"
#include "datasets/synthetic.h"
#include "layers/gelu.h"
#include "layers/linear.h"
#include "layers/relu.h"
#include "layers/sequential.h"
#include "layers/sigmoid.h"
#include "layers/tanh.h"
#include "tools/train/memory.h"
#include "tools/train/utf8.h"

namespace gradlab::cli {

namespace {

// ---- data sizes ------------------------------------------------------------------

uint64_t float_bytes(uint64_t n) { return sat_mul(n, sizeof(float)); }
uint64_t label_bytes(uint64_t n) { return sat_mul(n, sizeof(int64_t)); }

uint64_t product(const Shape& dims, size_t from = 0) {
  uint64_t n = 1;
  for (size_t i = from; i < dims.size(); ++i) n = sat_mul(n, static_cast<uint64_t>(dims[i]));
  return n;
}

std::string dims_text(const Shape& dims, size_t from) {
  std::string s;
  for (size_t i = from; i < dims.size(); ++i) s += (i > from ? "x" : "") + std::to_string(dims[i]);
  return s;
}

// ---- IDX directories -------------------------------------------------------------

// The four files of an MNIST-layout directory and their headers, checked
// against each other before anything is read in full: images and labels of
// a split hold as many examples, and both splits' images have one size.
struct IdxSet {
  std::string files[2][2];  // [train, test][images, labels]
  data::IdxHeader headers[2][2];
};

IdxSet probe_idx_dir(const std::string& dir) {
  IdxSet s;
  for (int split = 0; split < 2; ++split)
    for (int kind = 0; kind < 2; ++kind) {
      s.files[split][kind] =
          data::find_mnist_file(dir, split == 0 ? data::Split::Train : data::Split::Test,
                                kind == 0 ? "images" : "labels");
      s.headers[split][kind] = data::read_idx_header(s.files[split][kind], kind == 0);
    }
  for (int split = 0; split < 2; ++split) {
    const int64_t images = s.headers[split][0].dims[0], labels = s.headers[split][1].dims[0];
    if (images != labels)
      throw std::runtime_error("idx: image/label count mismatch: " + s.files[split][0] + " has " +
                               std::to_string(images) + " images, " + s.files[split][1] + " has " +
                               std::to_string(labels) + " labels");
  }
  const Shape& a = s.headers[0][0].dims;
  const Shape& b = s.headers[1][0].dims;
  if (a[1] != b[1] || a[2] != b[2])
    throw std::runtime_error("idx: the training and test images differ in size: " + s.files[0][0] +
                             " holds " + dims_text(a, 1) + " images, " + s.files[1][0] + " holds " +
                             dims_text(b, 1) + " (a model takes one input size)");
  return s;
}

DataEstimate estimate_idx(const IdxSet& s) {
  DataEstimate e;
  for (int split = 0; split < 2; ++split) {
    const data::IdxHeader& img = s.headers[split][0];
    const uint64_t n = static_cast<uint64_t>(img.dims[0]), pixels = product(img.dims);
    e.tensor_bytes = sat_add(e.tensor_bytes, sat_add(float_bytes(pixels), label_bytes(n)));
    // The file's bytes, and the inflated pixels when it is gzipped.
    e.read_bytes = std::max(e.read_bytes, sat_add(img.file_bytes, img.gzipped ? pixels : 0));
    e.what += std::string(split ? ", " : "") + s.files[split][0] + ": " + std::to_string(n) +
              " images of " + dims_text(img.dims, 1);
  }
  return e;
}

RawData load_idx_set(const IdxSet& s, const data::IdxOptions& opts) {
  RawData r;
  r.train = data::load_idx(s.files[0][0], s.files[0][1], opts);
  r.test = data::load_idx(s.files[1][0], s.files[1][1], opts);
  r.train_source = s.files[0][0];
  r.test_source = s.files[1][0];
  return r;
}

// Fashion-MNIST lives where Debian's package puts it; say so when it is not there.
template <class Fn>
auto with_fashion_hint(Fn&& fn) {
  try {
    return fn();
  } catch (const std::runtime_error& e) {
    if (std::string(e.what()).rfind("idx: no ", 0) == 0)
      throw std::runtime_error(std::string(e.what()) +
                               " (install the Debian package dataset-fashion-mnist, e.g. with "
                               "scripts/install-deps.sh)");
    throw;
  }
}

data::IdxOptions idx_options(const LoadOptions& o, bool fashion) {
  data::IdxOptions opts;
  if (fashion) {
    opts.num_classes = 10;
    opts.class_names = data::fashion_mnist_class_names();
  }
  if (!o.classes.empty()) {  // a model's classes: labels must be below their count
    opts.num_classes = static_cast<int64_t>(o.classes.size());
    opts.class_names = o.classes;
  }
  return opts;
}

// Synthetic datasets have integer classes; a model's class list only fixes their count.
data::Dataset with_classes(data::Dataset d, const LoadOptions& o) {
  if (!o.classes.empty() && static_cast<int64_t>(o.classes.size()) >= d.num_classes) {
    d.num_classes = static_cast<int64_t>(o.classes.size());
    d.class_names = o.classes;
  }
  return d;
}

uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

DatasetKind synthetic(const std::string& name, uint64_t examples, uint64_t features,
                      std::function<data::Dataset(uint64_t seed)> make) {
  DatasetKind k;
  k.name = k.form = name;
  k.estimate = [name, examples, features](const DatasetSpec&) {
    DataEstimate e;
    e.tensor_bytes = float_bytes(examples * features) + label_bytes(examples);
    e.what = name + ": " + std::to_string(examples) + " examples of " + std::to_string(features) +
             " features";
    return e;
  };
  k.load = [name, make](const DatasetSpec&, const LoadOptions& o) {
    RawData r;
    r.train = with_classes(make(o.seed), o);
    r.train_source = name;
    return r;
  };
  return k;
}

std::vector<DatasetKind> make_dataset_kinds() {
  std::vector<DatasetKind> kinds;
  {
    DatasetKind k;
    k.name = k.form = "fashion-mnist";
    k.images = true;
    k.estimate = [](const DatasetSpec&) {
      return with_fashion_hint([] { return estimate_idx(probe_idx_dir(data::kFashionMnistDir)); });
    };
    k.load = [](const DatasetSpec&, const LoadOptions& o) {
      return with_fashion_hint([&] {
        return load_idx_set(probe_idx_dir(data::kFashionMnistDir), idx_options(o, true));
      });
    };
    kinds.push_back(k);
  }
  kinds.push_back(synthetic("spirals", 3000, 2, [](uint64_t seed) {
    return data::make_spirals({.n_per_class = 1000, .num_classes = 3, .noise = 0.2, .seed = seed});
  }));
  kinds.push_back(synthetic("moons", 2000, 2, [](uint64_t seed) {
    return data::make_moons({.n_samples = 2000, .noise = 0.1, .seed = seed});
  }));
  kinds.push_back(synthetic("blobs", 2000, 2, [](uint64_t seed) {
    return data::make_blobs({.n_per_class = 500, .num_classes = 4, .seed = seed});
  }));
  {
    DatasetKind k;
    k.name = "csv";
    k.form = "csv:PATH:LABEL_COLUMN";
    k.takes_args = true;
    k.parse = [](DatasetSpec& d, const std::string& args) {
      // The label is after the last ':' so paths may hold ':'.
      const size_t colon = args.rfind(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == args.size())
        throw std::invalid_argument("csv needs a path and a label column");
      d.path = args.substr(0, colon);
      d.label = args.substr(colon + 1);
    };
    k.estimate = [](const DatasetSpec& d) {
      // Each value takes at least 2 bytes of text ("1,") and 4 as float32;
      // the text and its label cells are held while parsing.
      const uint64_t bytes = file_size(d.path);
      DataEstimate e;
      e.tensor_bytes = sat_mul(bytes, 2);
      e.read_bytes = sat_mul(bytes, 2);
      e.what = d.path + ": " + human_bytes(bytes) + " of text";
      return e;
    };
    k.load = [](const DatasetSpec& d, const LoadOptions& o) {
      RawData r;
      r.train = data::load_csv(
          d.path, {.label_column = d.label, .max_classes = o.max_classes, .classes = o.classes});
      r.train_source = d.path;
      return r;
    };
    kinds.push_back(k);
  }
  {
    DatasetKind k;
    k.name = "idx";
    k.form = "idx:DIR";
    k.takes_args = true;
    k.images = true;
    k.parse = [](DatasetSpec& d, const std::string& args) {
      if (args.empty()) throw std::invalid_argument("idx needs a directory");
      d.path = args;
    };
    k.estimate = [](const DatasetSpec& d) { return estimate_idx(probe_idx_dir(d.path)); };
    k.load = [](const DatasetSpec& d, const LoadOptions& o) {
      return load_idx_set(probe_idx_dir(d.path), idx_options(o, false));
    };
    kinds.push_back(k);
  }
  return kinds;
}

// ---- models ----------------------------------------------------------------------

constexpr int64_t kMaxWidth = 65536;

std::shared_ptr<nn::Module> activation(const std::string& name) {
  if (name == "relu") return std::make_shared<nn::ReLU>();
  if (name == "gelu") return std::make_shared<nn::GELU>();
  if (name == "tanh") return std::make_shared<nn::Tanh>();
  return std::make_shared<nn::Sigmoid>();
}

std::vector<int64_t> mlp_widths(const ModelSpec& m, int64_t in, int64_t classes) {
  std::vector<int64_t> w = {in};
  w.insert(w.end(), m.hidden.begin(), m.hidden.end());
  w.push_back(classes);
  return w;
}

std::vector<ModelKind> make_model_kinds() {
  ModelKind mlp;
  mlp.name = "mlp";
  mlp.form = "mlp:H1,H2,...[:relu|gelu|tanh|sigmoid] (e.g. mlp:256,128 or mlp:64:tanh)";
  mlp.parse = [](ModelSpec& m, const std::optional<std::string>& args) {
    if (!args) return;  // "mlp": no hidden layer, i.e. logistic regression
    std::string rest = *args;
    if (rest.empty())
      throw std::invalid_argument("no hidden sizes after 'mlp:' (write 'mlp' for none)");
    const size_t act = rest.find(':');
    if (act != std::string::npos) {
      m.activation = rest.substr(act + 1);
      rest = rest.substr(0, act);
      if (m.activation != "relu" && m.activation != "gelu" && m.activation != "tanh" &&
          m.activation != "sigmoid")
        throw std::invalid_argument("unknown activation '" + m.activation +
                                    "' (relu, gelu, tanh, sigmoid)");
    }
    for (size_t pos = 0;;) {
      const size_t comma = rest.find(',', pos);
      const std::string part =
          rest.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      int64_t h = 0;
      auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), h);
      if (part.empty() || ec != std::errc() || p != part.data() + part.size())
        throw std::invalid_argument("hidden size '" + part + "' is not a whole number");
      if (h < 1 || h > kMaxWidth)
        throw std::invalid_argument("hidden size " + part + " outside [1, " +
                                    std::to_string(kMaxWidth) + "]");
      m.hidden.push_back(h);
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  };
  mlp.parameters = [](const ModelSpec& m, int64_t in, int64_t classes) {
    const std::vector<int64_t> w = mlp_widths(m, in, classes);
    uint64_t n = 0;
    for (size_t i = 0; i + 1 < w.size(); ++i) {
      const auto a = static_cast<uint64_t>(w[i]), b = static_cast<uint64_t>(w[i + 1]);
      n = sat_add(n, sat_add(sat_mul(a, b), b));  // weight (b, a) and bias (b)
    }
    return n;
  };
  mlp.activations = [](const ModelSpec& m, int64_t in, int64_t classes) {
    uint64_t n = static_cast<uint64_t>(in);
    for (int64_t h : mlp_widths(m, in, classes))
      n = sat_add(n, sat_mul(2, static_cast<uint64_t>(h)));
    return n;  // each layer's output and its activation's
  };
  mlp.build = [](const ModelSpec& m, int64_t in, int64_t classes, uint64_t seed) {
    Generator gen(seed);
    auto model = std::make_shared<nn::Sequential>();
    int64_t width = in;
    for (int64_t h : m.hidden) {
      model->push_back(std::make_shared<nn::Linear>(width, h, gen));
      model->push_back(activation(m.activation));
      width = h;
    }
    model->push_back(std::make_shared<nn::Linear>(width, classes, gen));
    return std::shared_ptr<nn::Module>(model);
  };
  return {mlp};
}

template <class Kind>
std::string forms_of(const std::vector<Kind>& kinds) {
  std::string s;
  for (const Kind& k : kinds) s += (s.empty() ? "" : ", ") + k.form;
  return s;
}

template <class Kind>
const Kind* find_kind(const std::vector<Kind>& kinds, const std::string& name) {
  for (const Kind& k : kinds)
    if (k.name == name) return &k;
  return nullptr;
}

// "name:args" -> (name, args); "name" -> (name, nullopt).
std::pair<std::string, std::optional<std::string>> split_kind(const std::string& spec) {
  const size_t colon = spec.find(':');
  if (colon == std::string::npos) return {spec, std::nullopt};
  return {spec.substr(0, colon), spec.substr(colon + 1)};
}

}  // namespace

// ---- datasets --------------------------------------------------------------------

const std::vector<DatasetKind>& dataset_kinds() {
  static const std::vector<DatasetKind> kinds = make_dataset_kinds();
  return kinds;
}

std::string dataset_forms() { return forms_of(dataset_kinds()); }

DatasetSpec parse_dataset_spec(const std::string& spec) {
  require_utf8(spec, "--dataset",
               "gradlab records the dataset in config.json and checkpoints; rename the file or "
               "link it under a UTF-8 name");
  auto bad = [&](const std::string& why) {
    throw std::invalid_argument("--dataset '" + spec + "': " + why +
                                " (expected one of: " + dataset_forms() + ")");
  };
  const auto [name, args] = split_kind(spec);
  const DatasetKind* k = find_kind(dataset_kinds(), name);
  if (!k) bad("unknown dataset");
  DatasetSpec d;
  d.kind = k->name;
  d.text = spec;
  if (!k->takes_args && args) bad(k->name + " takes no arguments");
  if (k->takes_args) {
    if (!args) bad(k->name + " needs arguments: " + k->form);
    try {
      k->parse(d, *args);
    } catch (const std::invalid_argument& e) {
      bad(e.what());
    }
  }
  return d;
}

const DatasetKind& dataset_kind(const DatasetSpec& spec) {
  if (const DatasetKind* k = find_kind(dataset_kinds(), spec.kind)) return *k;
  throw std::invalid_argument("--dataset '" + spec.text + "': unknown dataset kind '" + spec.kind +
                              "'");
}

// ---- models ----------------------------------------------------------------------

const std::vector<ModelKind>& model_kinds() {
  static const std::vector<ModelKind> kinds = make_model_kinds();
  return kinds;
}

std::string model_forms() { return forms_of(model_kinds()); }

ModelSpec parse_model_spec(const std::string& spec) {
  require_utf8(spec, "--model", "gradlab records the model in config.json and checkpoints");
  auto bad = [&](const std::string& why) {
    throw std::invalid_argument("--model '" + spec + "': " + why + " (expected " + model_forms() +
                                ")");
  };
  const auto [name, args] = split_kind(spec);
  const ModelKind* k = find_kind(model_kinds(), name);
  if (!k) bad("unknown model kind");
  ModelSpec m;
  m.kind = k->name;
  m.text = spec;
  try {
    k->parse(m, args);
  } catch (const std::invalid_argument& e) {
    bad(e.what());
  }
  return m;
}

const ModelKind& model_kind(const ModelSpec& spec) {
  if (const ModelKind* k = find_kind(model_kinds(), spec.kind)) return *k;
  throw std::invalid_argument("--model '" + spec.text + "': unknown model kind '" + spec.kind +
                              "'");
}

std::shared_ptr<nn::Module> build_model(const ModelSpec& spec, int64_t in_features,
                                        int64_t num_classes, uint64_t seed) {
  return model_kind(spec).build(spec, in_features, num_classes, seed);
}

uint64_t model_parameters(const ModelSpec& spec, int64_t in_features, int64_t num_classes) {
  return model_kind(spec).parameters(spec, in_features, num_classes);
}

}  // namespace gradlab::cli
