# signoff_embed(OUT_CPP FUNCTION_PREFIX BASE_DIR FILES...)
# Generates a .cpp that maps each file's path (relative to BASE_DIR, without its
# extension) to its text, behind two functions declared by the caller's header:
#   std::string_view <prefix>_text(std::string_view name);   // "" when absent
#   std::vector<std::string_view> <prefix>_names();
# Regenerated whenever one of the files changes.
function(signoff_embed out_cpp prefix base_dir)
    set(files ${ARGN})
    add_custom_command(
        OUTPUT ${out_cpp}
        COMMAND ${CMAKE_COMMAND} -DOUT=${out_cpp} -DPREFIX=${prefix} -DBASE=${base_dir}
                "-DFILES=${files}" -P ${PROJECT_SOURCE_DIR}/cmake/embed_generate.cmake
        DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/embed_generate.cmake
        COMMENT "Embedding ${prefix} files"
        VERBATIM)
endfunction()
