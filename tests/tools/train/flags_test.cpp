// tests/tools/train/flags_test.cpp — the flag table (tools/train/flags.h):
// strict number parsing, every float flag refusing NaN and infinities,
// integer flags refusing overflow and negatives, the per-flag --resume policy,
// and messages that name the flag.
#include "tools/train/flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tools/commands.h"

namespace gradlab::cli {
namespace {

using ::testing::HasSubstr;

// The message of the ExitError that applying `given` to defaults throws.
std::string error_of(const GivenFlags& given, bool resuming = false) {
  TrainConfig c;
  try {
    apply_flags(c, given, resuming);
  } catch (const ExitError& e) {
    EXPECT_EQ(e.code, kExitBadInput);
    return e.message;
  }
  return "<accepted>";
}

TEST(Flags, StrictIntegers) {
  EXPECT_EQ(parse_int("42", 1, 100), 42);
  for (const char* bad : {"", "4.0", "1e3", "+3", " 3", "3 ", "0x10", "abc"})
    EXPECT_THROW(parse_int(bad, 1, 100), FlagError) << bad;
  EXPECT_THAT(error_of({{"epochs", "99999999999999999999"}}),
              HasSubstr("--epochs 99999999999999999999: out of range"));
  EXPECT_THAT(error_of({{"epochs", "0"}}),
              HasSubstr("--epochs 0: must be a whole number in [1, 100000]"));
  EXPECT_THAT(error_of({{"batch-size", "-5"}}), HasSubstr("--batch-size -5: must be"));
  EXPECT_THAT(error_of({{"threads", "9223372036854775808"}}),
              HasSubstr("--threads 9223372036854775808: out of range"));
}

TEST(Flags, SeedsAreNeverClamped) {
  EXPECT_EQ(parse_uint("18446744073709551615"), UINT64_MAX);
  EXPECT_THAT(error_of({{"seed", "-1"}}),
              HasSubstr("--seed -1: must be a whole number in [0, 18446744073709551615]"));
  EXPECT_THAT(error_of({{"seed", "18446744073709551616"}}),
              HasSubstr("--seed 18446744073709551616: out of range"));
  EXPECT_THAT(error_of({{"seed", "1.5"}}), HasSubstr("not a whole number"));
}

TEST(Flags, EveryFloatFlagRefusesNaNInfinityAndOverflow) {
  int float_flags = 0;
  for (const FlagDef& f : train_flags()) {
    TrainConfig c;
    if (!f.get(c).is_number_float()) continue;
    ++float_flags;
    for (const char* bad : {"nan", "NaN", "-nan", "inf", "-inf", "infinity", "1e999", "abc", ""}) {
      const std::string msg = error_of({{f.name, bad}});
      EXPECT_THAT(msg, HasSubstr(f.flag() + " " + bad + ":")) << f.name << " " << bad;
      EXPECT_THAT(msg, HasSubstr("a number in")) << msg;
    }
  }
  EXPECT_EQ(float_flags, 5);  // lr, momentum, weight-decay, label-smoothing, val-fraction
}

TEST(Flags, HugeHyperParametersAreRefused) {
  EXPECT_THAT(error_of({{"lr", "1e308"}}), HasSubstr("--lr 1e308: must be a number in (0, 10]"));
  EXPECT_THAT(error_of({{"lr", "0"}}), HasSubstr("--lr 0: must be a number in (0, 10]"));
  EXPECT_THAT(error_of({{"weight-decay", "inf"}}), HasSubstr("--weight-decay inf: must be finite"));
  EXPECT_THAT(error_of({{"momentum", "inf"}}), HasSubstr("--momentum inf:"));
  EXPECT_THAT(error_of({{"momentum", "-0.5"}}),
              HasSubstr("--momentum -0.5: must be a number in [0, 1)"));
  EXPECT_THAT(error_of({{"momentum", "1"}}), HasSubstr("--momentum 1: must be"));
  EXPECT_THAT(error_of({{"label-smoothing", "1.5"}}), HasSubstr("--label-smoothing 1.5:"));
  EXPECT_THAT(error_of({{"val-fraction", "1"}}), HasSubstr("--val-fraction 1:"));
}

TEST(Flags, ChoicesAndSpecsNameTheFlag) {
  EXPECT_THAT(error_of({{"optimizer", "rmsprop"}}),
              HasSubstr("--optimizer 'rmsprop': expected one of sgd, adam, adamw"));
  EXPECT_THAT(error_of({{"schedule", "linear"}}), HasSubstr("--schedule 'linear'"));
  EXPECT_THAT(error_of({{"dataset", "cifar10"}}),
              HasSubstr("--dataset 'cifar10': unknown dataset"));
  EXPECT_THAT(error_of({{"model", "mlp:0"}}), HasSubstr("--model 'mlp:0'"));
}

TEST(Flags, MomentumOnlyWithSgd) {
  TrainConfig c;
  const GivenFlags given = {{"momentum", "0.5"}};
  apply_flags(c, given, false);
  try {
    check_flag_combination(c, given);
    FAIL() << "accepted --momentum with adam";
  } catch (const ExitError& e) {
    EXPECT_THAT(e.message, HasSubstr("--momentum 0.5: only --optimizer sgd"));
  }
  c.optimizer = "sgd";
  EXPECT_NO_THROW(check_flag_combination(c, given));
}

TEST(Flags, OnResumeOnlyEpochsAndThreadsMayChange) {
  EXPECT_EQ(resumable_flags(), "--epochs, --threads");
  TrainConfig c;
  const std::vector<FlagChange> changes =
      apply_flags(c, {{"epochs", "20"}, {"threads", "1"}}, true);
  ASSERT_EQ(changes.size(), 1u);  // --threads 1 is the run's value already
  EXPECT_EQ(changes[0].name, "epochs");
  EXPECT_EQ(changes[0].from, 10);
  EXPECT_EQ(changes[0].to, 20);
  EXPECT_EQ(c.epochs, 20);
  for (const auto& [flag, value] : GivenFlags{{"lr", "0.5"},
                                              {"dataset", "moons"},
                                              {"model", "mlp:64"},
                                              {"batch-size", "64"},
                                              {"seed", "3"},
                                              {"optimizer", "adam"}}) {
    const std::string msg = error_of({{flag, value}}, true);
    EXPECT_THAT(msg, HasSubstr("--" + flag)) << msg;
    EXPECT_THAT(msg, HasSubstr("cannot be given with --resume")) << msg;
    EXPECT_THAT(msg, HasSubstr("only --epochs, --threads may change")) << msg;
  }
  EXPECT_THAT(error_of({{"optimizer", "adam"}}, true), HasSubstr("already (drop the flag)"));
}

TEST(Flags, EveryRowRoundTripsThroughJson) {
  TrainConfig c;
  c.dataset = "csv:/x:y";
  c.seed = UINT64_MAX;
  c.lr = 0.123456789012345678;
  const TrainConfig d = config_from_json(to_json(c));
  EXPECT_EQ(to_json(d), to_json(c));
  for (const FlagDef& f : train_flags()) EXPECT_EQ(f.get(d), f.get(c)) << f.name;
}

}  // namespace
}  // namespace gradlab::cli
