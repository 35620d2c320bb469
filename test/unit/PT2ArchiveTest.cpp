//===- PT2ArchiveTest.cpp - Reader options, limits and failures ----------===//
#include "thunder/PT2/Archive.h"

#include <gtest/gtest.h>

using namespace thunder::pt2;

namespace {

std::string fixture(const std::string &name) { return std::string(THUNDER_SOURCE_DIR) + "/test/fixtures/" + name; }

std::string errorOf(const std::string &path, const ReadOptions &options = {}) {
  Expected<Archive> archive = readArchive(path, options);
  return archive.ok() ? std::string("(loaded)") : archive.error().message;
}

} // namespace

TEST(PT2Archive, MissingFileIsAnError) {
  std::string message = errorOf(fixture("does_not_exist.pt2"));
  EXPECT_NE(message.find("does_not_exist.pt2"), std::string::npos) << message;
  EXPECT_NE(message.find("no such file"), std::string::npos) << message;
}

TEST(PT2Archive, DirectoryIsAnError) {
  std::string message = errorOf(fixture(""));
  EXPECT_NE(message.find("not a regular file"), std::string::npos) << message;
}

TEST(PT2Archive, TotalMemoryLimit) {
  ReadOptions options;
  options.limits.maxTotalBytes = 20000; // the JSON fits, the 32 KiB weight does not
  std::string message = errorOf(fixture("mlp.pt2"), options);
  EXPECT_NE(message.find("memory limit of 20000 bytes"), std::string::npos) << message;
}

TEST(PT2Archive, EntrySizeLimit) {
  ReadOptions options;
  options.limits.maxEntryBytes = 4096;
  std::string message = errorOf(fixture("mlp.pt2"), options);
  EXPECT_NE(message.find("more than the limit of 4096"), std::string::npos) << message;
}

TEST(PT2Archive, JsonSizeLimit) {
  ReadOptions options;
  options.limits.maxJsonBytes = 1000;
  std::string message = errorOf(fixture("mlp.pt2"), options);
  EXPECT_NE(message.find("mlp/models/model.json"), std::string::npos) << message;
  EXPECT_NE(message.find("more than the limit of 1000"), std::string::npos) << message;
}

TEST(PT2Archive, EntryCountLimit) {
  ReadOptions options;
  options.limits.maxEntries = 5;
  std::string message = errorOf(fixture("mlp.pt2"), options);
  EXPECT_NE(message.find("more than the limit of 5"), std::string::npos) << message;
}

TEST(PT2Archive, JsonDepthLimit) {
  ReadOptions options;
  options.limits.maxJsonDepth = 4; // model.json nests deeper than this
  std::string message = errorOf(fixture("mlp.pt2"), options);
  EXPECT_NE(message.find("nested deeper than 4 levels"), std::string::npos) << message;
}

TEST(PT2Archive, UnknownModelNameFallsBackToTheOnlyModel) {
  ReadOptions options;
  options.model = "not_there";
  Expected<Archive> archive = readArchive(fixture("mlp.pt2"), options);
  ASSERT_TRUE(archive.ok()) << archive.error().message;
  EXPECT_EQ(archive->modelName, "model");
}

TEST(PT2Archive, MemoryBytesThatAreNotAZip) {
  const char junk[] = "definitely not a zip";
  Expected<Archive> archive = readArchiveFromMemory(junk, sizeof junk, {}, "junk");
  ASSERT_FALSE(archive.ok());
  EXPECT_EQ(archive.error().message.rfind("junk: not a readable zip archive", 0), 0u) << archive.error().message;
}

TEST(PT2Archive, EmptyMemoryBuffer) {
  Expected<Archive> archive = readArchiveFromMemory(nullptr, 0, {}, "empty");
  ASSERT_FALSE(archive.ok());
}
