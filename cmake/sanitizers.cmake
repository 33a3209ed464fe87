# SIGNOFF_SANITIZE: "" (off), "address;undefined" or "thread". Applied globally so
# every object and the test binaries agree.
set(SIGNOFF_SANITIZE "" CACHE STRING "Sanitizers: address;undefined or thread")
if(SIGNOFF_SANITIZE)
    list(JOIN SIGNOFF_SANITIZE "," _san)
    add_compile_options(-fsanitize=${_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    add_link_options(-fsanitize=${_san})
    if("thread" IN_LIST SIGNOFF_SANITIZE)
        # g++ warns that TSan does not model std::atomic_thread_fence, which Boost.Asio
        # uses in its headers; the warning is about TSan's coverage, not our code.
        add_compile_options(-Wno-tsan)
    endif()
endif()
