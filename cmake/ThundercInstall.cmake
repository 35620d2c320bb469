# cmake --install: the tools, the runtime archive thunderc links into every model, the C ABI headers (with
# DLPack's, so that users need no libdlpack-dev) and ThundercConfig.cmake (thunderc_add_model). docs/cmake.md.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# thunderc finds the runtime at <its directory>/../lib/libthunder_runtime.a: "lib", not a multiarch libdir.
set(THUNDER_INSTALL_LIBDIR lib)
if(TARGET thunderc)
  # libMLIR.so lives in LLVM's own lib directory (/usr/lib/llvm-22/lib), not on the loader's path.
  set_property(TARGET thunderc APPEND PROPERTY INSTALL_RPATH "${LLVM_LIBRARY_DIR}")
  install(TARGETS thunderc RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(TARGETS thunder-run RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS thunder_runtime thunder_safetensors ARCHIVE DESTINATION ${THUNDER_INSTALL_LIBDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/thunder/runtime/thunder.h
              ${PROJECT_SOURCE_DIR}/include/thunder/runtime/thunder_api.def
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/thunder/runtime)
install(FILES ${THUNDER_DLPACK_INCLUDE}/dlpack/dlpack.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/thunderc/dlpack)
install(FILES ${PROJECT_SOURCE_DIR}/runtime/safetensors/Safetensors.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/thunderc/safetensors)

set(config_dir ${THUNDER_INSTALL_LIBDIR}/cmake/Thunderc)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ThundercConfig.cmake.in
  ${PROJECT_BINARY_DIR}/ThundercConfig.cmake
  INSTALL_DESTINATION ${config_dir}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ThundercConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ThundercConfig.cmake ${PROJECT_BINARY_DIR}/ThundercConfigVersion.cmake
        DESTINATION ${config_dir})

# cpack -G DEB (build/CPackConfig.cmake): the install above under /usr, as one Debian package. It needs the
# LLVM/MLIR 22 shared libraries thunderc runs on, not their -dev packages, and a C++ driver to link models.
set(CPACK_PACKAGE_NAME thunderc)
set(CPACK_PACKAGE_VENDOR thunderc)
set(CPACK_PACKAGE_CONTACT "thunderc developers <thunderc@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Ahead-of-time compiler for PyTorch .pt2 exports: MODEL.so with a C ABI over DLPack")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)  # xz takes minutes on a 2-core CI machine
set(THUNDER_DEB_DEPENDS "libc6, libgcc-s1, libstdc++6")
if(TARGET thunderc)
  string(APPEND THUNDER_DEB_DEPENDS ", libllvm${LLVM_VERSION_MAJOR}, libmlir-${LLVM_VERSION_MAJOR}, libzip4, libprotobuf-lite32, g++ | c++-compiler")
endif()
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${THUNDER_DEB_DEPENDS}")
include(CPack)
