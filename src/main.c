/* minasidor: the Mina sidor kiosk and its support commands, in one binary. */
#include "app/app.h"

int
main(int argc, char **argv)
{
    return app_main(argc, argv);
}
