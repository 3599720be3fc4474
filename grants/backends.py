"""
Signing in with a username and password, as Django's ModelBackend does, with one difference: the
signed-in user is read with their organisation in the same query. Every page names the user's
organisation ("Signed in as … , Office of the Police and Crime Commissioner") and most check it, so
reading it apart cost one more query on every request.
"""

from django.contrib.auth.backends import ModelBackend, UserModel


class UserWithOrganisationBackend(ModelBackend):
    def get_user(self, user_id):
        user = UserModel._default_manager.select_related("organisation").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
