# SIGNOFF_SANITIZE: "" (off), "address;undefined" or "thread". Applied globally so
# every object and the test binaries agree.
set(SIGNOFF_SANITIZE "" CACHE STRING "Sanitizers: address;undefined or thread")
if(SIGNOFF_SANITIZE)
    list(JOIN SIGNOFF_SANITIZE "," _san)
    add_compile_options(-fsanitize=${_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    add_link_options(-fsanitize=${_san})
endif()
