# Warning flags for our own targets (third-party headers come in as SYSTEM).
function(signoff_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion)
    if(SIGNOFF_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()

# signoff_layer(NAME SOURCES...): a layer's static library. While a layer is
# still empty (a fresh checkout mid-build-out) it gets one generated empty
# translation unit so that the targets above it still configure.
function(signoff_layer name)
    set(srcs ${ARGN})
    if(NOT srcs)
        set(_empty ${CMAKE_CURRENT_BINARY_DIR}/${name}_empty.cpp)
        file(WRITE ${_empty} "// ${name} has no sources yet.\n")
        set(srcs ${_empty})
    endif()
    add_library(${name} STATIC ${srcs})
    target_include_directories(${name} PUBLIC ${SIGNOFF_ROOT})
    signoff_warnings(${name})
endfunction()
